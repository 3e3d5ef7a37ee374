package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.penwright.engine.internal.BatchScheduler;
import dev.penwright.engine.internal.Checkpoint;
import dev.penwright.engine.internal.LayerWeights;
import dev.penwright.engine.internal.LoraBatch;
import dev.penwright.engine.internal.LoraGroup;
import dev.penwright.engine.internal.ModelInternals;
import dev.penwright.engine.internal.RowAdapters;
import dev.penwright.engine.internal.Transformer;

/**
 * A decoder-only model loaded from a Hugging Face folder (config.json, safetensors, tokenizer.json), with its
 * tokenizer. Generation goes through a continuous-batching scheduler shared by every caller of
 * {@link #submit(GenerateRequest)}; {@link #score} and {@link #logits} run plain forward passes.
 */
public final class LanguageModel implements AutoCloseable {
    /** Batch slots of the shared scheduler. */
    public static final int DEFAULT_MAX_BATCH = 8;
    /**
     * The draft length of plan-lookup speculative decoding of a model loaded on its own: off, so that a library
     * caller gets one-token steps unless it asks; {@link Engine} sets its own default (see the engine's README).
     */
    public static final int DEFAULT_LOOKAHEAD = 0;

    private final Path directory;
    private final ModelConfig config;
    private final Transformer transformer;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean ownsTokenizer;
    private BatchScheduler shared;
    /** Plan-lookup speculative decoding: draft tokens a row verifies in one pass (0 = off), see {@link #lookahead(int)}. */
    private volatile int lookahead = DEFAULT_LOOKAHEAD;
    private dev.penwright.engine.internal.TokenTexts tokenTexts;

    static {
        // The training package (TrainingAccess) reads the decoder through the engine's internal package.
        ModelInternals.transformers(LanguageModel::transformer);
    }

    private LanguageModel(Path directory, ModelConfig config, Transformer transformer, HuggingFaceTokenizer tokenizer,
                          boolean ownsTokenizer) {
        this.directory = directory;
        this.config = config;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.ownsTokenizer = ownsTokenizer;
    }

    /**
     * Loads a model folder. A checkpoint stored in BF16 or F16 keeps its matrices in that dtype (two bytes a
     * parameter; matmuls in that dtype with F32 activations around them); an F32 one stays F32.
     */
    public static LanguageModel load(Path directory) throws IOException {
        return load(directory, true);
    }

    /** Loads a model folder with every weight as F32 whatever its stored dtype: what training the base weights needs. */
    public static LanguageModel loadF32(Path directory) throws IOException {
        return load(directory, false);
    }

    private static LanguageModel load(Path directory, boolean keepHalf) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw ModelFormatException.of(directory, null, "not a model folder");
        }
        ModelConfig config = ModelConfig.read(directory.resolve("config.json"));
        Checkpoint checkpoint = Checkpoint.open(directory);
        NDManager manager = NDManager.newBaseManager();
        Transformer transformer;
        try {
            transformer = Transformer.load(config, checkpoint, manager, keepHalf);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        HuggingFaceTokenizer tokenizer = null;
        Path tokenizerJson = directory.resolve("tokenizer.json");
        if (Files.isRegularFile(tokenizerJson)) {
            try {
                // The binding truncates to 512 tokens and may pad unless told not to.
                tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                        Map.of("truncation", "false", "padding", "false", "maxLength", "-1"));
            } catch (IOException | RuntimeException e) {
                transformer.close();
                throw ModelFormatException.of(tokenizerJson, null, "cannot load the tokenizer: " + e.getMessage());
            }
        }
        return new LanguageModel(directory, config, transformer, tokenizer, true);
    }

    public Path directory() {
        return directory;
    }

    public ModelConfig config() {
        return config;
    }

    /** The decoder itself, not part of the API: see {@link ModelInternals}. */
    private Transformer transformer() {
        return transformer;
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    /** The DJL tokenizer (truncation and padding off), or null when the folder has no tokenizer.json. */
    public HuggingFaceTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The bytes each token adds to the text, read from tokenizer.json on first use (copy-aware decoding needs them).
     */
    synchronized dev.penwright.engine.internal.TokenTexts tokenTexts() {
        if (tokenTexts == null) {
            requireTokenizer();
            try {
                tokenTexts = dev.penwright.engine.internal.TokenTexts.load(directory.resolve("tokenizer.json"),
                        config.vocabSize(), tokenizer);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(directory.resolve("tokenizer.json")
                        + ": cannot read the vocabulary for copy-aware decoding: " + e.getMessage(), e);
            }
        }
        return tokenTexts;
    }

    /** Token ids of a text, with the special tokens the tokenizer's post-processor adds (BOS for Llama). */
    public long[] encode(String text) {
        return encode(text, true);
    }

    public long[] encode(String text, boolean addSpecialTokens) {
        requireTokenizer();
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    public String decode(long[] ids) {
        requireTokenizer();
        return tokenizer.decode(ids, true);
    }

    private void requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException(directory.resolve("tokenizer.json") + ": no tokenizer in this model folder");
        }
    }

    /**
     * Loads a PEFT adapter folder for this model; fails with the file and tensor when it does not fit. A model held in
     * half precision holds the adapter in the same dtype.
     */
    public LoraAdapter loadAdapter(Path adapterDirectory) throws IOException {
        return LoraAdapter.load(adapterDirectory, config, directory, transformer.manager(), transformer.half(),
                transformer.halfReference());
    }

    /**
     * Frees an adapter loaded for this model once no request uses it: on the running batch's thread when there is
     * one (a request finishing now may leave its arrays in the step under way), at once otherwise.
     */
    public void retire(LoraAdapter adapter) {
        BatchScheduler s;
        synchronized (this) {
            s = shared;
        }
        if (s != null) {
            s.retire(adapter);
        } else {
            adapter.close();
        }
    }

    /** A new adapter on this model; B is zero (output unchanged) unless {@code zeroB} is false. */
    public LoraAdapter createAdapter(String id, LoraConfig loraConfig, long seed, boolean zeroB) {
        return LoraAdapter.create(id, config, loraConfig, seed, zeroB, transformer.manager());
    }

    /**
     * Sets the draft length of plan-lookup speculative decoding (0 = off) for the shared batch, from its next step,
     * and for later {@link #generateAll} runs. Output is the same either way; only the speed changes.
     */
    public void lookahead(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("lookahead must be 0 (off) or positive, was " + k);
        }
        lookahead = k;
        synchronized (this) {
            if (shared != null) {
                shared.setLookahead(k);
            }
        }
    }

    public int lookahead() {
        return lookahead;
    }

    /** Queues a request into the shared running batch. */
    public CompletableFuture<Generation> submit(GenerateRequest request) {
        BatchScheduler s;
        synchronized (this) {
            if (shared == null) {
                shared = new BatchScheduler(transformer, tokenizer, this::tokenTexts, DEFAULT_MAX_BATCH, 256,
                        lookahead);
                shared.start("penwright-engine-" + directory.getFileName());
            }
            s = shared;
        }
        return s.submit(request);
    }

    /** Generates and waits. */
    public Generation generate(GenerateRequest request) {
        try {
            return submit(request).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /**
     * Runs the requests to completion on the calling thread with a batch of at most {@code maxBatch} rows; requests
     * beyond it join as earlier ones finish. Results are in request order.
     */
    public List<Generation> generateAll(List<GenerateRequest> requests, int maxBatch) {
        return run(requests, maxBatch, lookahead).generations();
    }

    /**
     * {@link #generateAll} with an explicit draft length for plan-lookup speculative decoding (0 = off), and what it
     * did: for tests and the benchmark, which compare both ways on one model.
     */
    /** New tokens a batch's KV cache is sized for up front (see {@link #run}). */
    static final int UPFRONT_NEW_TOKENS = 1024;

    public BatchResult run(List<GenerateRequest> requests, int maxBatch, int lookahead) {
        // The requests are known: size the KV cache for the longest at once. Growing it mid-run allocates and copies
        // every layer's cache while the batch waits (6-7 % of a 128-token batch-8 run when it doubled twice). A
        // speculative pass pads every row to the longest draft, so a row may write up to lookahead positions more.
        // Up to UPFRONT_NEW_TOKENS new tokens only: a limit is a bound, not a length, and a long-context model's
        // limits (a 0.5B Qwen scoring 8 rows up to 8k tokens each) made a 1.6 GB cache that the outputs never filled;
        // beyond that the cache grows as rows get there.
        int longest = 1;
        for (GenerateRequest r : requests) {
            Integer maxNew = r.options().maxNewTokens();
            longest = Math.max(longest, r.promptIds().length
                    + (maxNew == null ? 0 : Math.max(0, Math.min(maxNew, UPFRONT_NEW_TOKENS))));
        }
        int context = Math.min(longest + lookahead, config.maxPositions());
        try (BatchScheduler s = new BatchScheduler(transformer, tokenizer, this::tokenTexts, maxBatch, context,
                lookahead)) {
            List<CompletableFuture<Generation>> futures = new ArrayList<>();
            for (GenerateRequest r : requests) {
                futures.add(s.submit(r));
            }
            s.runUntilIdle();
            List<Generation> out = new ArrayList<>();
            for (CompletableFuture<Generation> f : futures) {
                try {
                    out.add(f.join());
                } catch (CompletionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw e;
                }
            }
            return new BatchResult(out, s.stats());
        }
    }

    /**
     * Log-probabilities of each token of {@code continuation} after {@code context}, in one forward pass.
     */
    public double[] score(long[] context, long[] continuation, LoraAdapter adapter) {
        if (context.length == 0) {
            throw new IllegalArgumentException("scoring needs at least one context token");
        }
        long[] all = new long[context.length + continuation.length];
        System.arraycopy(context, 0, all, 0, context.length);
        System.arraycopy(continuation, 0, all, context.length, continuation.length);
        if (all.length > config.maxPositions()) {
            throw new IllegalArgumentException("request exceeds the model's context: " + all.length
                    + " tokens > max_position_embeddings " + config.maxPositions());
        }
        double[] out = new double[continuation.length];
        try (NDScope scope = new NDScope()) {
            NDArray logp = logits(new long[][] {all}, adapter).logSoftmax(-1);
            float[] lp = logp.toFloatArray();
            int v = config.vocabSize();
            for (int i = 0; i < continuation.length; i++) {
                int pos = context.length - 1 + i;
                out[i] = lp[pos * v + (int) continuation[i]];
            }
        }
        return out;
    }

    /**
     * Logits [B, T, V] of a causal pass over equal-length rows, registered in the caller's NDScope. Differentiable
     * with respect to the adapter's A and B (the trainer's entry point).
     */
    public NDArray logits(long[][] ids, LoraAdapter adapter) {
        for (long[] row : ids) {
            for (long id : row) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
            }
        }
        LoraBatch lora = RowAdapters.of(java.util.Collections.nCopies(ids.length, adapter), config.numLayers(),
                transformer.manager());
        int[] starts = new int[ids.length];
        NDArray hidden = transformer.forward(ids, starts, null, 0, lora);
        return transformer.logits(hidden);
    }

    /** A copy of this model with the adapter merged into its weights (W + scale·B·A); shares the tokenizer. */
    public LanguageModel merge(LoraAdapter adapter) {
        NDManager m = transformer.manager().newSubManager();
        LayerWeights[] layers = new LayerWeights[config.numLayers()];
        try (NDScope scope = new NDScope()) {
            for (int l = 0; l < layers.length; l++) {
                LayerWeights w = transformer.layer(l);
                layers[l] = new LayerWeights(w.inputNorm(), merged(w.wqkv(), adapter, l, LoraGroup.QKV, m), w.bqkv(),
                        merged(w.wo(), adapter, l, LoraGroup.O, m), w.postNorm(),
                        merged(w.wGateUp(), adapter, l, LoraGroup.GATE_UP, m), merged(w.wDown(), adapter, l, LoraGroup.DOWN, m));
            }
        }
        Transformer t = new Transformer(config, m, transformer.embedding(), transformer.lmHead(), transformer.finalNorm(),
                layers, transformer.half());
        return new LanguageModel(directory, config, t, tokenizer, false);
    }

    private NDArray merged(NDArray w, LoraAdapter adapter, int layer, LoraGroup g, NDManager m) {
        NDArray a = adapter.fusedA(layer, g.ordinal());
        if (a == null) {
            return w;
        }
        NDArray delta = adapter.widened(a).matMul(adapter.widened(adapter.fusedB(layer, g.ordinal())));
        // A half-precision weight may be held in oneDNN's blocked layout, which only PyTorch's own calls read.
        NDArray base = transformer.isHalf(w) ? transformer.half().toF32(w) : w;
        NDArray out = base.add(delta.transpose());
        NDScope.unregister(out);
        out.attach(m);
        return out;
    }

    @Override
    public void close() {
        close(true);
    }

    /** Closes; with {@code drainRequests}, generations in flight finish first (see {@link BatchScheduler#close(boolean)}). */
    public void close(boolean drainRequests) {
        synchronized (this) {
            if (shared != null) {
                shared.close(drainRequests);
                shared = null;
            }
        }
        transformer.close();
        if (ownsTokenizer && tokenizer != null) {
            tokenizer.close();
        }
    }
}
