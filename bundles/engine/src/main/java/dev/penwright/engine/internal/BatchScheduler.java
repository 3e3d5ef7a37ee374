package dev.penwright.engine.internal;

import java.util.ArrayList;
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
    private final Object signal = new Object();

    /** @param tokenTexts the model's token bytes, asked for only by a request with copy-aware decoding */
    public BatchScheduler(Transformer model, HuggingFaceTokenizer tokenizer,
                          java.util.function.Supplier<TokenTexts> tokenTexts, int maxBatch, int initialContext) {
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
        int cacheLength;
        String finish;

        Row(GenerateRequest request, HuggingFaceTokenizer tokenizer, CopyAwareState copy) {
            this.request = request;
            this.copy = copy;
            this.options = request.options();
            this.rng = new SplittableRandom(options.seed() == null ? 0L : options.seed());
            for (long id : request.promptIds()) {
                seen.add((int) id);
            }
            this.text = new TextTracker(tokenizer, options.stop());
        }
    }

    public CompletableFuture<Generation> submit(GenerateRequest request) {
        CopyAwareState copy = null;
        if (request.plan() != null && request.options().isCopyAware()) {
            try {
                copy = new CopyAwareState(new CopyAwareState.Plan(request.plan().planIds(),
                        request.plan().vocabulary(), request.options(), model.config().eosTokenIds(), tokenTexts.get()));
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
            pending.add(row);
            synchronized (signal) {
                signal.notifyAll();
            }
        }
        return row.future;
    }

    public int activeRows() {
        return active.size();
    }

    /** Admits waiting requests, then decodes one token for every running row. @return whether work remains */
    public boolean step() {
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
        long[][] ids = new long[b][1];
        int[] starts = new int[b];
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            ids[i][0] = r.ids.get(r.ids.size() - 1);
            starts[i] = r.cacheLength;
        }
        boolean argmaxOnly = true;
        for (Row r : active) {
            argmaxOnly &= Sampler.isArgmax(r.options) && r.copy == null;
        }
        float[] logits = null;
        long[] best = null;
        float[] bestLogprob = null;
        try (NDScope scope = new NDScope()) {
            NDArray hidden = model.forward(ids, starts, cache, 0, adapters);
            NDArray rowLogits = model.logits(hidden).reshape(b, model.config().vocabSize());
            if (argmaxOnly) {
                // Every row greedy without a penalty: pick on the device and copy out 2·B numbers instead of
                // B·V logits (the copy and the Java log-softmax were a tenth of a batch-8 step).
                NDArray top = rowLogits.argMax(1);
                bestLogprob = rowLogits.logSoftmax(1).gather(top.reshape(b, 1), 1).toFloatArray();
                best = top.toLongArray();
            } else {
                logits = rowLogits.toFloatArray();
            }
        }
        int vocab = model.config().vocabSize();
        List<Row> finished = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            r.cacheLength++;
            boolean goesOn = best != null ? accept(r, (int) best[i], bestLogprob[i]) : accept(r, logits, i * vocab);
            if (!goesOn) {
                finished.add(r);
            }
        }
        for (Row r : finished) {
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
        cache.close();
    }
}
