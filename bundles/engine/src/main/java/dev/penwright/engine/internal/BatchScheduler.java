package dev.penwright.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
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
    private final ConcurrentLinkedQueue<BatchRow> pending = new ConcurrentLinkedQueue<>();
    private final List<BatchRow> active = new ArrayList<>();
    private LoraBatch adapters = LoraBatch.NONE;
    private boolean adaptersStale = true;
    /** The side-by-side projections of the batch's different half-precision adapters, kept while they stay the same. */
    private RowAdapters.SideBySide sideBySide;
    private Thread worker;
    private volatile boolean closed;
    /** Set when closing starts: no new request is taken, and those taken are finished first. */
    private volatile boolean draining;
    /** Every request taken and not yet done, so that closing can wait for them. */
    private final java.util.Set<CompletableFuture<Generation>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How long closing waits for the requests in flight (an engine update or a shutdown) before failing them. */
    static final java.time.Duration DRAIN_TIMEOUT = java.time.Duration.ofSeconds(30);
    private final java.util.Queue<LoraAdapter> retired = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Speculation speculation;
    private final Object signal = new Object();

    /**
     * @param tokenTexts the model's token bytes, asked for only by a request with copy-aware decoding
     * @param lookahead  plan-lookup speculative decoding: draft tokens a row verifies in one pass, 0 = off
     */
    public BatchScheduler(Transformer model, HuggingFaceTokenizer tokenizer,
                          java.util.function.Supplier<TokenTexts> tokenTexts, int maxBatch, int initialContext,
                          int lookahead) {
        this.speculation = new Speculation(lookahead);
        this.model = model;
        this.tokenizer = tokenizer;
        this.tokenTexts = tokenTexts;
        this.maxBatch = maxBatch;
        this.cache = new KvCache(model.manager(), model.config(), maxBatch, initialContext);
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
                        request.plan().formOpeners(), request.plan().signsOff(), request.plan().signOffDash(),
                        request.plan().verbatim(), request.options(),
                        model.config().eosTokenIds(), tokenTexts.get()));
                long[] prompt = request.promptIds();
                if (prompt.length > 0) {
                    copy.continueAfter((int) prompt[prompt.length - 1]);
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        BatchRow row = new BatchRow(request, tokenizer, copy);
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
        speculation.setLookahead(lookahead);
    }

    /** What speculative decoding did so far (read it from the thread that steps, or after the run). */
    public dev.penwright.engine.SpeculationStats stats() {
        return speculation.stats();
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
                if (sideBySide != null && sideBySide.holds(adapter)) {
                    dropSideBySide();
                }
                adapter.close();
            }
        }
    }

    private void dropSideBySide() {
        if (sideBySide != null) {
            sideBySide.close();
            sideBySide = null;
        }
    }

    /** Takes a row out of the batch: the last row moves into its cache slot. */
    private void removeRow(BatchRow r) {
        int slot = active.indexOf(r);
        int last = active.size() - 1;
        if (slot != last) {
            BatchRow moved = active.get(last);
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
            BatchRow row = pending.poll();
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
                for (BatchRow r : active) {
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

    private void prefill(BatchRow row) {
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
            for (BatchRow r : active) {
                rows.add(r.request.adapter());
            }
            int layers = model.config().numLayers();
            if (RowAdapters.sideBySide(rows, model.half())) {
                if (sideBySide == null || !sideBySide.serves(rows)) {
                    dropSideBySide();
                    sideBySide = new RowAdapters.SideBySide(rows, layers, model.half());
                }
                adapters = RowAdapters.of(rows, layers, model.manager(), sideBySide);
            } else {
                adapters = RowAdapters.of(rows, layers, model.manager());
            }
            adaptersStale = false;
        }
        int[][] draft = speculation.drafts(active, model.config().maxPositions());
        int t = draft == null ? 1 : 1 + Speculation.longest(draft);
        long[][] ids = new long[b][t];
        int[] starts = new int[b];
        for (int i = 0; i < b; i++) {
            BatchRow r = active.get(i);
            long last = r.ids.get(r.ids.size() - 1);
            // [last token, d1..dk], padded with the last token: a padded position is computed and thrown away.
            Arrays.fill(ids[i], last);
            for (int j = 0; draft != null && j < draft[i].length; j++) {
                ids[i][1 + j] = draft[i][j];
            }
            starts[i] = r.cacheLength;
        }
        boolean argmaxOnly = true;
        for (BatchRow r : active) {
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
        speculation.passed(t);
        List<BatchRow> finished = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            BatchRow r = active.get(i);
            int[] d = draft == null ? new int[0] : draft[i];
            speculation.drafted(r, d.length);
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
                if (p < d.length) {
                    speculation.verified(r, matched);
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

    /** Samples the next token of a row. @return whether the row goes on */
    private boolean accept(BatchRow row, float[] logits, int off) {
        int vocab = model.config().vocabSize();
        int token = Sampler.choose(logits, off, vocab, row.options, row.seen, row.rng, row.copy);
        return accept(row, token, Sampler.logprob(logits, off, vocab, token));
    }

    /** Takes the row's next token and its log-probability. @return whether the row goes on */
    private boolean accept(BatchRow row, int token, double lp) {
        return row.take(token, lp, model.config().eosTokenIds());
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
        for (BatchRow r : active) {
            r.future.completeExceptionally(new IllegalStateException("engine closed"));
        }
        for (BatchRow r : pending) {
            r.future.completeExceptionally(new IllegalStateException("engine closed"));
        }
        if (adapters instanceof RowAdapters r) {
            r.close();
        }
        dropSideBySide();
        retired.forEach(LoraAdapter::close);
        retired.clear();
        cache.close();
    }
}
