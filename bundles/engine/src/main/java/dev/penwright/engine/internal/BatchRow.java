package dev.penwright.engine.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;

/**
 * One request in a {@link BatchScheduler}'s batch: its sampling state, the tokens and text so far, its KV-cache
 * length and the odds of its speculative drafts. Touched only by the thread that steps the scheduler.
 */
final class BatchRow {
    final GenerateRequest request;
    final GenerationOptions options;
    final CompletableFuture<Generation> future = new CompletableFuture<>();
    final SplittableRandom rng;
    final Set<Integer> seen = new HashSet<>();
    final List<Integer> ids = new ArrayList<>();
    final List<Double> logprobs = new ArrayList<>();
    final TextTracker text;
    /** Copy-aware decoding state, or null when it is off (then sampling is exactly as without it). */
    final CopyAwareState copy;
    /** The draft source of a row without copy-aware state: the plan, or the prompt when there is none. */
    final PlanLookup lookup;
    int cacheLength;
    String finish;
    /**
     * Decayed counts of this row's draft tokens accepted and of its drafts ended by a mismatch: the odds that its
     * next draft token is accepted, for {@link Speculation}. Starts at 1:1.
     */
    double hits = 1;
    double misses = 1;

    BatchRow(GenerateRequest request, HuggingFaceTokenizer tokenizer, CopyAwareState copy) {
        this.request = request;
        this.copy = copy;
        this.options = request.options();
        this.rng = new SplittableRandom(options.seed() == null ? 0L : options.seed());
        for (long id : request.promptIds()) {
            seen.add((int) id);
        }
        this.text = new TextTracker(tokenizer, options.stop());
        this.lookup = copy != null ? null
                : new PlanLookup(request.plan() != null ? request.plan().planIds() : request.promptIds());
    }

    double acceptance() {
        return hits / (hits + misses);
    }

    /** Up to {@code max} draft tokens: the plan's (or prompt's) continuation after the text's current match. */
    int[] draft(int max) {
        return copy != null ? copy.continuation(max) : lookup.continuation(max);
    }

    /**
     * Takes the row's next token and its log-probability, streams it, and completes the row's future when it ends
     * (an end token, a stop string, its token limit, or a stream listener that failed).
     *
     * @return whether the row goes on
     */
    boolean take(int token, double lp, List<Integer> eosTokenIds) {
        ids.add(token);
        logprobs.add(lp);
        seen.add(token);
        if (copy != null) {
            copy.advance(token);
        } else {
            lookup.advance(token);
        }
        boolean eos = eosTokenIds.contains(token);
        String delta = "";
        if (!eos) {
            long[] gen = new long[ids.size()];
            for (int i = 0; i < gen.length; i++) {
                gen[i] = ids.get(i);
            }
            delta = text.update(gen);
        }
        if (eos) {
            finish = "eos";
        } else if (text.stopped()) {
            finish = "stop";
        } else if (ids.size() >= options.maxNewTokens()) {
            finish = "length";
        }
        if (finish != null) {
            delta = delta + text.finish();
        }
        try {
            request.stream().onToken(token, lp, delta);
        } catch (RuntimeException e) {
            finish = "error";
            future.completeExceptionally(e);
            return false;
        }
        if (finish != null) {
            future.complete(new Generation(ids, logprobs, text.text(), finish, request.promptIds().length));
            return false;
        }
        return true;
    }
}
