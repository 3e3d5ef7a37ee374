package dev.penwright.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.ModelConfig;

/**
 * Continuous batching: between two decode steps, finished rows leave the batch and waiting requests join it (after
 * their own prefill). Rows live in KV-cache slots 0..B-1; a leaving row's slot is refilled by the last row, so a step
 * always runs on one contiguous block. Each row samples with its own generator and its own adapter (mixed in one
 * pass by {@link RowAdapters}), so its output is what it would be alone.
 *
 * <p>One thread drives {@link #step()}: either a caller ({@link #runUntilIdle()}) or the worker of {@link #start()}.
 */
public final class BatchScheduler implements AutoCloseable {
    private final Transformer model;
    private final HuggingFaceTokenizer tokenizer;
    private final java.util.function.Supplier<TokenTexts> tokenTexts;
    private final int maxBatch;
    private final KvCache cache;
    private final ConcurrentLinkedQueue<Row> pending = new ConcurrentLinkedQueue<>();
    private final List<Row> active = new ArrayList<>();
    private LoraBatch adapters = LoraBatch.NONE;
    private boolean adaptersStale = true;
    private Thread worker;
    private volatile boolean closed;
    /** Set when closing starts: no new request is taken, and those taken are finished first. */
    private volatile boolean draining;
    /** Every request taken and not yet done, so that closing can wait for them. */
    private final java.util.Set<CompletableFuture<Generation>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How long closing waits for the requests in flight (an engine update or a shutdown) before failing them. */
    static final java.time.Duration DRAIN_TIMEOUT = java.time.Duration.ofSeconds(30);
    private final java.util.Queue<LoraAdapter> retired = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Draft tokens a row verifies in one pass (0: plain one-token steps); live, read once a step. */
    private volatile int lookahead;
    private long decodeSteps;
    private long speculativeSteps;
    private long drafts;
    private long draftTokens;
    private long acceptedTokens;
    private final Object signal = new Object();

    /**
     * @param tokenTexts the model's token bytes, asked for only by a request with copy-aware decoding
     * @param lookahead  plan-lookup speculative decoding: draft tokens a row verifies in one pass, 0 = off
     */
    public BatchScheduler(Transformer model, HuggingFaceTokenizer tokenizer,
                          java.util.function.Supplier<TokenTexts> tokenTexts, int maxBatch, int initialContext,
                          int lookahead) {
        setLookahead(lookahead);
        this.model = model;
        this.tokenizer = tokenizer;
        this.tokenTexts = tokenTexts;
        this.maxBatch = maxBatch;
        this.cache = new KvCache(model.manager(), model.config(), maxBatch, initialContext);
    }

    private static final class Row {
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
         * Decayed counts of this row's draft tokens accepted and of its drafts ended by a mismatch: the odds that
         * its next draft token is accepted, for {@link #plan}. Starts at 1:1.
         */
        double hits = 1;
        double misses = 1;

        double acceptance() {
            return hits / (hits + misses);
        }

        Row(GenerateRequest request, HuggingFaceTokenizer tokenizer, CopyAwareState copy) {
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

        /** Up to {@code max} draft tokens: the plan's (or prompt's) continuation after the text's current match. */
        int[] draft(int max) {
            return copy != null ? copy.continuation(max) : lookup.continuation(max);
        }
    }

    public CompletableFuture<Generation> submit(GenerateRequest request) {
        if (draining) {
            return CompletableFuture.failedFuture(new IllegalStateException("engine closing: it takes no new requests"));
        }
        CopyAwareState copy = null;
        if (request.plan() != null && request.options().isCopyAware()) {
            try {
                copy = new CopyAwareState(new CopyPlan(request.plan().planIds(),
                        request.plan().copyIds(), request.plan().vocabulary(), request.plan().formWords(),
                        request.plan().formOpeners(), request.options(), model.config().eosTokenIds(), tokenTexts.get()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Row row = new Row(request, tokenizer, copy);
        ModelConfig c = model.config();
        int maxNew = row.options.maxNewTokens() == null ? 0 : row.options.maxNewTokens();
        for (long id : request.promptIds()) {
            if (id < 0 || id >= c.vocabSize()) {
                row.future.completeExceptionally(new IllegalArgumentException("prompt token id " + id
                        + " is outside the vocabulary [0, " + c.vocabSize() + ")"));
                return row.future;
            }
        }
        if (request.promptIds().length == 0) {
            row.future.completeExceptionally(new IllegalArgumentException("the prompt is empty"));
        } else if (maxNew <= 0) {
            row.future.completeExceptionally(new IllegalArgumentException("max new tokens must be positive, was " + maxNew));
        } else if (request.promptIds().length + maxNew > c.maxPositions()) {
            row.future.completeExceptionally(new IllegalArgumentException("request exceeds the model's context: "
                    + request.promptIds().length + " prompt tokens + " + maxNew + " new tokens > max_position_embeddings "
                    + c.maxPositions()));
        } else {
            inFlight.add(row.future);
            row.future.whenComplete((g, failure) -> inFlight.remove(row.future));
            pending.add(row);
            synchronized (signal) {
                signal.notifyAll();
            }
        }
        return row.future;
    }

    /** Waits, up to {@link #DRAIN_TIMEOUT}, until the requests in flight are done (the worker goes on meanwhile). */
    private void drain() {
        if (worker == null || inFlight.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(DRAIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // A failed request is done too; one still running after the timeout is failed by close below.
        }
    }

    public int activeRows() {
        return active.size();
    }

    /** Changes the draft length from the next step on (the engine's configuration is live). */
    public void setLookahead(int lookahead) {
        if (lookahead < 0) {
            throw new IllegalArgumentException("lookahead must be 0 (off) or positive, was " + lookahead);
        }
        this.lookahead = lookahead;
    }

    /** What speculative decoding did so far (read it from the thread that steps, or after the run). */
    public dev.penwright.engine.SpeculationStats stats() {
        return new dev.penwright.engine.SpeculationStats(decodeSteps, speculativeSteps, drafts, draftTokens,
                acceptedTokens);
    }

    /**
     * Closes an adapter once no row uses it, from this scheduler's own step: a forward pass in progress may still
     * read the adapter's arrays, so it is never freed from another thread.
     */
    public void retire(LoraAdapter adapter) {
        retired.add(adapter);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void closeRetired() {
        for (LoraAdapter adapter : retired) {
            boolean inUse = active.stream().anyMatch(r -> r.request.adapter() == adapter)
                    || pending.stream().anyMatch(r -> r.request.adapter() == adapter);
            if (!inUse && retired.remove(adapter)) {
                adaptersStale = true;
                adapter.close();
            }
        }
    }

    /** Takes a row out of the batch: the last row moves into its cache slot. */
    private void removeRow(Row r) {
        int slot = active.indexOf(r);
        int last = active.size() - 1;
        if (slot != last) {
            Row moved = active.get(last);
            cache.moveSlot(last, slot, moved.cacheLength);
            active.set(slot, moved);
        }
        active.remove(last);
        adaptersStale = true;
    }

    /** Admits waiting requests, then decodes one token for every running row. @return whether work remains */
    public boolean step() {
        closeRetired();
        while (active.size() < maxBatch && !pending.isEmpty()) {
            Row row = pending.poll();
            try {
                prefill(row);
            } catch (RuntimeException e) {
                row.future.completeExceptionally(e);
            }
        }
        if (!active.isEmpty()) {
            try {
                decode();
            } catch (RuntimeException e) {
                for (Row r : active) {
                    r.future.completeExceptionally(e);
                }
                active.clear();
                adaptersStale = true;
            }
        }
        return !active.isEmpty() || !pending.isEmpty();
    }

    public void runUntilIdle() {
        while (step()) {
            // keep stepping
        }
    }

    private void prefill(Row row) {
        int slot = active.size();
        long[][] ids = {row.request.promptIds()};
        float[] logits;
        // One row, one adapter: the adapter's own fused projections, nothing to build or free.
        LoraBatch single = RowAdapters.of(java.util.Collections.singletonList(row.request.adapter()),
                model.config().numLayers(), model.manager());
        try (NDScope scope = new NDScope()) {
            NDArray hidden = model.forward(ids, new int[] {0}, cache, slot, single);
            NDArray last = hidden.get(new NDIndex().addAllDim().addSliceDim(ids[0].length - 1, ids[0].length));
            logits = model.logits(last).toFloatArray();
        }
        row.cacheLength = ids[0].length;
        if (accept(row, logits, 0)) {
            active.add(row);
            adaptersStale = true;
        }
    }

    private void decode() {
        int b = active.size();
        if (adaptersStale) {
            if (adapters instanceof RowAdapters r) {
                r.close();
            }
            List<LoraAdapter> rows = new ArrayList<>(b);
            for (Row r : active) {
                rows.add(r.request.adapter());
            }
            adapters = RowAdapters.of(rows, model.config().numLayers(), model.manager());
            adaptersStale = false;
        }
        int[][] draft = drafts(b);
        int t = draft == null ? 1 : 1 + longest(draft);
        long[][] ids = new long[b][t];
        int[] starts = new int[b];
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            long last = r.ids.get(r.ids.size() - 1);
            // [last token, d1..dk], padded with the last token: a padded position is computed and thrown away.
            Arrays.fill(ids[i], last);
            for (int j = 0; draft != null && j < draft[i].length; j++) {
                ids[i][1 + j] = draft[i][j];
            }
            starts[i] = r.cacheLength;
        }
        boolean argmaxOnly = true;
        for (Row r : active) {
            argmaxOnly &= Sampler.isArgmax(r.options) && r.copy == null;
        }
        int vocab = model.config().vocabSize();
        float[] logits = null;
        long[] best = null;
        float[] bestLogprob = null;
        try (NDScope scope = new NDScope()) {
            NDArray hidden = model.forward(ids, starts, cache, 0, adapters);
            NDArray rowLogits = model.logits(hidden).reshape(b, t, vocab);
            if (argmaxOnly) {
                // Every row greedy without a penalty: pick on the device and copy out 2·B·T numbers instead of
                // B·T·V logits (the copy and the Java log-softmax were a tenth of a batch-8 step).
                NDArray top = rowLogits.argMax(2);
                bestLogprob = rowLogits.logSoftmax(2).gather(top.reshape(b, t, 1), 2).toFloatArray();
                best = top.toLongArray();
            } else {
                logits = rowLogits.toFloatArray();
            }
        }
        decodeSteps++;
        if (t > 1) {
            speculativeSteps++;
        }
        List<Row> finished = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            int[] d = draft == null ? new int[0] : draft[i];
            if (d.length > 0) {
                drafts++;
                draftTokens += d.length;
            }
            if (d.length == 0) {
                // Unverified this step: the odds drift back toward even, so a row whose early drafts failed is
                // tried again later (its text may reach a part that copies the plan).
                r.hits += RELAX * (1 - r.hits);
                r.misses += RELAX * (1 - r.misses);
            }
            int start = r.cacheLength;
            // Walk the row's positions as sequential steps would: position p's logits follow [.., last, d1..dp], so
            // they are the next step's logits exactly when every chosen token so far equalled its draft token. The
            // first mismatch's token is still the one a sequential step picks (same logits, same state, the same
            // next RNG draw); what follows it is discarded, and the cache keeps start + accepted positions.
            for (int p = 0; ; p++) {
                r.cacheLength = start + p + 1;
                int at = i * t + p;
                int token;
                boolean goesOn;
                if (best != null) {
                    token = (int) best[at];
                    goesOn = accept(r, token, bestLogprob[at]);
                } else {
                    token = Sampler.choose(logits, at * vocab, vocab, r.options, r.seen, r.rng, r.copy);
                    goesOn = accept(r, token, Sampler.logprob(logits, at * vocab, vocab, token));
                }
                boolean matched = p < d.length && token == d[p];
                if (matched) {
                    acceptedTokens++;
                }
                if (p < d.length) {
                    r.hits = DECAY * r.hits + (matched ? 1 : 0);
                    r.misses = DECAY * r.misses + (matched ? 0 : 1);
                }
                if (!goesOn) {
                    finished.add(r);
                    break;
                }
                if (!matched) {
                    break;
                }
            }
        }
        finished.forEach(this::removeRow);
    }

    /**
     * Each running row's draft for this step (possibly empty), or null for a plain one-token step: speculation is
     * off, no row has a draft, or it does not pay (see {@link #plan}).
     */
    private int[][] drafts(int b) {
        int k = lookahead;
        if (k <= 0) {
            return null;
        }
        // One pass has one length for every row, so every row's padded positions must fit the model's context.
        int room = Integer.MAX_VALUE;
        for (Row r : active) {
            room = Math.min(room, model.config().maxPositions() - r.cacheLength - 1);
        }
        int[][] d = new int[b][];
        int rowsWithDraft = 0;
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            // A pass yields at most 1 + draft tokens: no more than the row may still write.
            int remaining = r.options.maxNewTokens() - r.ids.size();
            int max = Math.min(k, Math.min(remaining - 1, room));
            d[i] = max <= 0 ? new int[0] : r.draft(max);
            if (d[i].length > 0) {
                rowsWithDraft++;
            }
        }
        return rowsWithDraft > 0 ? plan(d) : null;
    }

    private static int longest(int[][] drafts) {
        int n = 0;
        for (int[] d : drafts) {
            n = Math.max(n, d.length);
        }
        return n;
    }

    /**
     * Relative cost of a cached pass of {@code t} tokens a row over a one-token step of the same batch, measured on
     * the bench model (d=512, 8 layers; best of 30, 2 cores): 1.25 for T=5 and 1.45 for T=9 at batch 1 (a one-token
     * step is bound by reading the weights, a few more positions ride along), 1.31 / 1.80 / 2.45 for T=2 / 5 / 9 at
     * batch 8 (the matmuls grow with B·T). A longer pass also takes the general path (rotary tables, transposes, a
     * mask) instead of the one-token shortcuts: the fixed quarter.
     */
    static double passCost(int batch, int t) {
        return t == 1 ? 1.0 : PASS_FIXED + PASS_PER_POSITION * batch * (t - 1);
    }

    static final double PASS_FIXED = 1.25;
    static final double PASS_PER_POSITION = 0.02;
    /** How fast a row forgets how its older drafts fared. */
    private static final double DECAY = 0.8;
    /** How fast an unverified row's odds return to even (a step). */
    private static final double RELAX = 0.05;

    /**
     * Chooses this step's pass length: the T that maximises expected tokens per unit of cost, a row expecting
     * a + a² + … + a^L accepted tokens from a draft of length L at its acceptance odds a, against
     * {@link #passCost}. A batch whose drafts keep failing falls back to one-token steps (the odds are still
     * updated when a pass verifies them, and a row's prior is even); a row alone with a good draft pays almost
     * always. Drafts are cut to T - 1. @return the drafts for the chosen T, or null for a one-token step
     */
    private int[][] plan(int[][] d) {
        int b = d.length;
        int longest = longest(d);
        int bestT = 1;
        double bestRate = b; // a one-token step: b tokens for a cost of 1
        for (int t = 2; t <= longest + 1; t++) {
            double expected = b;
            for (int i = 0; i < b; i++) {
                double a = active.get(i).acceptance();
                double term = 1;
                for (int j = 0; j < Math.min(t - 1, d[i].length); j++) {
                    term *= a;
                    expected += term;
                }
            }
            double rate = expected / passCost(b, t);
            if (rate > bestRate) {
                bestRate = rate;
                bestT = t;
            }
        }
        if (bestT == 1) {
            return null;
        }
        for (int i = 0; i < b; i++) {
            if (d[i].length > bestT - 1) {
                d[i] = Arrays.copyOf(d[i], bestT - 1);
            }
        }
        return d;
    }

    /** Samples the next token of a row. @return whether the row goes on */
    private boolean accept(Row row, float[] logits, int off) {
        int vocab = model.config().vocabSize();
        int token = Sampler.choose(logits, off, vocab, row.options, row.seen, row.rng, row.copy);
        return accept(row, token, Sampler.logprob(logits, off, vocab, token));
    }

    /** Takes the row's next token and its log-probability. @return whether the row goes on */
    private boolean accept(Row row, int token, double lp) {
        row.ids.add(token);
        row.logprobs.add(lp);
        row.seen.add(token);
        if (row.copy != null) {
            row.copy.advance(token);
        } else {
            row.lookup.advance(token);
        }
        boolean eos = model.config().eosTokenIds().contains(token);
        String delta = "";
        if (!eos) {
            long[] gen = new long[row.ids.size()];
            for (int i = 0; i < gen.length; i++) {
                gen[i] = row.ids.get(i);
            }
            delta = row.text.update(gen);
        }
        if (eos) {
            row.finish = "eos";
        } else if (row.text.stopped()) {
            row.finish = "stop";
        } else if (row.ids.size() >= row.options.maxNewTokens()) {
            row.finish = "length";
        }
        if (row.finish != null) {
            delta = delta + row.text.finish();
        }
        try {
            row.request.stream().onToken(token, lp, delta);
        } catch (RuntimeException e) {
            row.finish = "error";
            row.future.completeExceptionally(e);
            return false;
        }
        if (row.finish != null) {
            row.future.complete(new Generation(row.ids, row.logprobs, row.text.text(), row.finish,
                    row.request.promptIds().length));
            return false;
        }
        return true;
    }

    /** Starts a worker thread that steps whenever there is work. */
    public synchronized void start(String name) {
        if (worker != null) {
            return;
        }
        worker = new Thread(() -> {
            while (!closed) {
                if (!step()) {
                    synchronized (signal) {
                        if (pending.isEmpty() && !closed) {
                            try {
                                signal.wait(1000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }
            }
        }, name);
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops: with {@code drain}, the requests in flight finish first (up to {@link #DRAIN_TIMEOUT}; an engine update
     * serves on), without, they fail at once (the whole runtime is stopping, and a stop must not wait for the longest
     * generation).
     */
    public void close(boolean drain) {
        draining = true;
        if (drain) {
            drain();
        }
        closed = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        if (worker != null) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Row r : active) {
            r.future.completeExceptionally(new IllegalStateException("engine closed"));
        }
        for (Row r : pending) {
            r.future.completeExceptionally(new IllegalStateException("engine closed"));
        }
        if (adapters instanceof RowAdapters r) {
            r.close();
        }
        retired.forEach(LoraAdapter::close);
        retired.clear();
        cache.close();
    }
}
