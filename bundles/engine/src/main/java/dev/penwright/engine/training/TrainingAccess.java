package dev.penwright.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.internal.LayerWeights;
import dev.penwright.engine.internal.LoraBatch;
import dev.penwright.engine.internal.LoraGroup;
import dev.penwright.engine.internal.ModelInternals;
import dev.penwright.engine.internal.Safetensors;

/**
 * What the trainer (bundle dev.penwright.trainer) needs of a loaded model beyond inference: its parameters as the
 * live NDArrays the forward pass reads (so gradients attach to them and in-place updates change the model), a
 * forward pass with LoRA dropout, and writers for Hugging Face checkpoints and plain tensor files (optimiser state).
 * Kept apart from {@link LanguageModel} so the inference code stays as it is.
 */
public final class TrainingAccess {
    private TrainingAccess() {
    }

    /**
     * The model's parameters under stable names, in a fixed order. q/k/v and gate/up are the engine's fused
     * matrices ({@code layers.N.qkv}, {@code layers.N.gate_up}); a tied output head is not listed twice.
     */
    public static Map<String, NDArray> parameters(LanguageModel model) {
        var t = ModelInternals.transformer(model);
        if (t.half() != null) {
            throw new IllegalStateException(model.directory() + " is held in half precision; training its base weights"
                    + " needs F32: load it with LanguageModel.loadF32");
        }
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("embed", t.embedding());
        for (int l = 0; l < model.config().numLayers(); l++) {
            LayerWeights w = t.layer(l);
            String n = "layers." + l + ".";
            p.put(n + "input_norm", w.inputNorm());
            p.put(n + "qkv", w.wqkv());
            if (w.bqkv() != null) {
                p.put(n + "qkv_bias", w.bqkv());
            }
            p.put(n + "o", w.wo());
            p.put(n + "post_norm", w.postNorm());
            p.put(n + "gate_up", w.wGateUp());
            p.put(n + "down", w.wDown());
        }
        p.put("norm", t.finalNorm());
        if (t.lmHead() != t.embedding()) {
            p.put("lm_head", t.lmHead());
        }
        return p;
    }

    /**
     * Logits [B, T, V] with LoRA dropout as PEFT applies it: {@code lora_B(lora_A(dropout(h)))}, each adapted module
     * with its own mask over its input h (q, k and v read the same h but drop it independently), the kept entries
     * scaled by 1/(1-dropout); the frozen base projection reads h undropped. {@code dropout} 0 is the plain forward
     * pass. The masks come from one SplitMix64 stream a layer, seeded by one draw of {@code rnd}, so a resumed run
     * that replays the same {@code rnd} drops the same entries, and so does {@link #recomputedBackward}.
     */
    public static NDArray logits(LanguageModel model, long[][] ids, LoraAdapter adapter, double dropout, Random rnd) {
        if (adapter == null || dropout <= 0) {
            return model.logits(ids, adapter);
        }
        if (dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be below 1, got " + dropout);
        }
        int b = ids.length;
        LoraBatch batch = trainingBatch(adapter, layerDropout(dropout, rnd.nextLong()), false);
        // The masks and dropped inputs stay in the caller's NDScope (closed after its backward).
        NDArray hidden = ModelInternals.transformer(model).forward(ids, new int[b], null, 0, batch);
        return ModelInternals.transformer(model).logits(hidden);
    }

    /**
     * The adapter's rows for a training pass: its fused projections (so gradients reach A and B), with LoRA dropout
     * on each adapted module's input, drawn from the layer's stream ({@code dropoutOf}, null for none);
     * {@code detached}: cut from the gradient graph (a pass that records none).
     */
    private static LoraBatch trainingBatch(LoraAdapter adapter, IntFunction<InputDropout> dropoutOf,
                                           boolean detached) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (LoraAdapter.Module m : adapter.modules()) {
            ranks.put(m.layer() + "." + m.name(), (int) m.a().getShape().get(0));
        }
        return new LoraBatch() {
            @Override
            public NDArray at(int layer, LoraGroup group) {
                return cut(adapter.fusedA(layer, group.ordinal()));
            }

            @Override
            public NDArray bt(int layer, LoraGroup group) {
                return cut(adapter.fusedB(layer, group.ordinal()));
            }

            private NDArray cut(NDArray fused) {
                return fused == null || !detached ? fused : fused.stopGradient();
            }

            @Override
            public NDArray mask(int layer, LoraGroup group) {
                return null;
            }

            @Override
            public NDArray low(int layer, LoraGroup group, NDArray h, NDArray at) {
                InputDropout drop = dropoutOf.apply(layer);
                if (drop == null) {
                    return h.matMul(at);
                }
                List<NDArray> parts = new ArrayList<>();
                long col = 0;
                for (String module : group.modules()) {
                    Integer r = ranks.get(layer + "." + module);
                    if (r == null) {
                        continue;
                    }
                    NDArray a = col == 0 && r == at.getShape().get(1) ? at : at.get(new NDIndex(":, {}:{}", col, col + r));
                    parts.add(drop.apply(h).matMul(a));
                    col += r;
                }
                return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts.toArray(NDArray[]::new)), -1);
            }
        };
    }

    /**
     * Activation recomputation ("gradient checkpointing") for LoRA training of a model too large to keep a whole
     * step's graph: adds to the adapter's gradients those of {@code Σ weights[r][t] · log p(targets[r][t])} over
     * {@code ids}, and returns that sum for each row. Every layer runs once without a graph, keeping only its input
     * ([B, T, d] a layer); the output head runs over a few positions at a time (its [.., V] logits are the largest
     * arrays of a step), each slice's backward leaving its gradient on the last layer's output; then each layer, last
     * first, runs again with a graph from its kept input and takes its backward at once, handing the gradient of its
     * input to the layer before. Peak memory is the kept inputs plus one layer's graph plus one slice of logits,
     * instead of every layer's graph and the whole [B, T, V]; the cost is a second forward pass. The frozen base gets
     * no gradients. LoRA dropout draws from one stream a layer (seeded by one draw of {@code rnd}; none when null),
     * so the recomputed pass drops what the first one dropped. The caller holds the gradient collector; the
     * adapter's A and B must require gradients. With a null collector it only evaluates the sums, in the same
     * bounded memory.
     */
    public static double[] recomputedBackward(LanguageModel model, long[][] ids, long[][] targets, float[][] weights,
                                              LoraAdapter adapter, double dropout, Random rnd,
                                              GradientCollector collector) {
        if (dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be below 1, got " + dropout);
        }
        var transformer = ModelInternals.transformer(model);
        long seed = rnd == null ? 0 : rnd.nextLong();
        int b = ids.length;
        int t = ids[0].length;
        NDManager manager = transformer.manager();
        try (NDScope pass = new NDScope()) {
            var layers = transformer.layerPass(ids);
            int n = layers.layers();
            NDArray[] inputs = new NDArray[n + 1];
            inputs[0] = layers.embedded();
            adapter.invalidate();
            // Nothing this pass reads requires a gradient (the adapter's projections detached), so no graph is kept.
            LoraBatch detached = trainingBatch(adapter, layerDropout(dropout, seed), true);
            for (int l = 0; l < n; l++) {
                inputs[l + 1] = layers.layer(l, inputs[l], detached);
            }
            // The head, a slice of positions at a time: about 128 MB of F32 logits a slice (a half-precision head is
            // widened once a slice, so slices are not made smaller than that).
            long v = model.config().vocabSize();
            int slice = (int) Math.max(1, Math.min(t, (32L << 20) / Math.max(1, b * v)));
            NDArray top = inputs[n].stopGradient();
            boolean backward = collector != null;
            if (backward) {
                top.setRequiresGradient(true);
            } else {
                adapter.invalidate();
            }
            double[] value = new double[b];
            for (int from = 0; from < t; from += slice) {
                int to = Math.min(t, from + slice);
                try (NDScope s = new NDScope()) {
                    NDArray logits = backward ? layers.logits(top.get(new NDIndex(":, {}:{}, :", from, to)))
                            : layers.logits(top.get(new NDIndex(":, {}:{}, :", from, to))).stopGradient();
                    long[] flat = new long[b * (to - from)];
                    float[] w = new float[b * (to - from)];
                    for (int r = 0; r < b; r++) {
                        System.arraycopy(targets[r], from, flat, r * (to - from), to - from);
                        System.arraycopy(weights[r], from, w, r * (to - from), to - from);
                    }
                    NDArray index = manager.create(flat, new Shape(b, to - from, 1));
                    NDArray logProbs = logits.logSoftmax(-1).gather(index, 2).reshape(b, to - from);
                    NDArray rows = logProbs.mul(manager.create(w, new Shape(b, to - from))).sum(new int[] {1});
                    if (backward) {
                        collector.backward(rows.sum());
                    }
                    float[] got = rows.toFloatArray();
                    for (int r = 0; r < b; r++) {
                        value[r] += got[r];
                    }
                }
            }
            if (!backward) {
                return value;
            }
            NDArray upstream = top.getGradient().duplicate();
            LoraBatch lora = trainingBatch(adapter, layerDropout(dropout, seed), false);
            for (int l = n - 1; l >= 0; l--) {
                try (NDScope s = new NDScope()) {
                    NDArray in = inputs[l].stopGradient();
                    // Layer 0 reads the frozen embedding: nothing before it learns.
                    if (l > 0) {
                        in.setRequiresGradient(true);
                    }
                    NDArray out = layers.layer(l, in, lora);
                    collector.backward(out.mul(upstream).sum());
                    upstream.close();
                    if (l > 0) {
                        upstream = in.getGradient().duplicate();
                        NDScope.unregister(upstream);
                    }
                }
                if (l > 0) {
                    NDScope.register(upstream);
                }
            }
            adapter.invalidate();
            return value;
        }
    }

    /**
     * The graph a LoRA training step may keep before it recomputes activations instead (bytes, see
     * {@link #plainStepBytes}): a 0.5B model's 512-token step would keep about 3.5 GB, the shipped default's well
     * under this.
     */
    public static final long GRAPH_BUDGET = 1L << 30;

    /**
     * Roughly what a plain training step's graph holds over {@code rows × t} positions, in bytes: a layer keeps about
     * 16 floats of the hidden width, 5 of the FFN width and 2 of each head's scores a position (activations, norms,
     * attention probabilities), and the head 3 of the vocabulary (logits, log-softmax and their gradient).
     */
    public static long plainStepBytes(ModelConfig c, int rows, int t) {
        long perPosition = (long) c.numLayers() * (16L * c.hiddenSize() + 5L * c.intermediateSize()
                + 2L * c.numHeads() * t) + 3L * c.vocabSize();
        return 4L * rows * t * perPosition;
    }

    /**
     * {@link #plainStepBytes(ModelConfig, int, int)} for this model: a half-precision base's matmuls of many rows run
     * on F32 copies of its weights, and a graph keeps each (its backward multiplies by it), so a plain step of such a
     * model also holds an F32 copy of every matrix (2 GB for a 0.5B model).
     */
    public static long plainStepBytes(LanguageModel model, int rows, int t) {
        boolean half = ModelInternals.transformer(model).half() != null;
        return plainStepBytes(model.config(), rows, t) + (half ? 4L * model.config().parameterCount() : 0);
    }

    /** One dropout stream a layer, the same for the same seed however often and in whatever order layers run. */
    private static IntFunction<InputDropout> layerDropout(double dropout, long seed) {
        if (dropout <= 0) {
            return layer -> null;
        }
        Map<Integer, InputDropout> streams = new java.util.HashMap<>();
        return layer -> streams.computeIfAbsent(layer, l -> new InputDropout(dropout, seed + 0x9E3779B97F4A7C15L * (l + 1)));
    }

    /**
     * Inverted dropout of an activation: a fresh Bernoulli keep-mask per call, drawn in Java from SplitMix64 (16 bits
     * a draw, four draws a long: the mask of a whole batch costs milliseconds) and applied in torch.
     */
    static final class InputDropout {
        private final int threshold;
        private final float keepScale;
        private long state;

        InputDropout(double p, long seed) {
            this.threshold = (int) Math.round(p * 65536);
            this.keepScale = (float) (1.0 / (1.0 - p));
            this.state = seed;
        }

        NDArray apply(NDArray h) {
            int n = (int) h.getShape().size();
            boolean[] keep = new boolean[n];
            long bits = 0;
            for (int i = 0; i < n; i++) {
                if ((i & 3) == 0) {
                    bits = next();
                }
                keep[i] = (int) (bits & 0xFFFF) >= threshold;
                bits >>>= 16;
            }
            NDManager manager = h.getManager();
            try (NDArray flags = manager.create(keep, h.getShape())) {
                // A float copy torch owns (the backward of h·mask reads it), scaled so the expectation is h.
                NDArray mask = flags.toType(DataType.FLOAT32, true).muli(keepScale);
                return h.mul(mask);
            }
        }

        private long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /** Writes config.json and model.safetensors (HF tensor names, q/k/v and gate/up split again) into {@code dir}. */
    public static void saveModel(LanguageModel model, Path dir) throws IOException {
        ModelConfig c = model.config();
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        var t = ModelInternals.transformer(model);
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", entry(t.embedding()));
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights w = t.layer(l);
            String p = "model.layers." + l + ".";
            out.put(p + "input_layernorm.weight", entry(w.inputNorm()));
            NDList qkv = w.wqkv().split(new long[] {c.queryWidth(), c.queryWidth() + c.kvWidth()}, 0);
            out.put(p + "self_attn.q_proj.weight", entry(qkv.get(0)));
            out.put(p + "self_attn.k_proj.weight", entry(qkv.get(1)));
            out.put(p + "self_attn.v_proj.weight", entry(qkv.get(2)));
            qkv.close();
            if (w.bqkv() != null) {
                NDList b = w.bqkv().split(new long[] {c.queryWidth(), c.queryWidth() + c.kvWidth()}, 0);
                out.put(p + "self_attn.q_proj.bias", entry(b.get(0)));
                out.put(p + "self_attn.k_proj.bias", entry(b.get(1)));
                out.put(p + "self_attn.v_proj.bias", entry(b.get(2)));
                b.close();
            }
            out.put(p + "self_attn.o_proj.weight", entry(w.wo()));
            out.put(p + "post_attention_layernorm.weight", entry(w.postNorm()));
            NDList gu = w.wGateUp().split(2, 0);
            out.put(p + "mlp.gate_proj.weight", entry(gu.get(0)));
            out.put(p + "mlp.up_proj.weight", entry(gu.get(1)));
            gu.close();
            out.put(p + "mlp.down_proj.weight", entry(w.wDown()));
        }
        out.put("model.norm.weight", entry(t.finalNorm()));
        if (t.lmHead() != t.embedding()) {
            out.put("lm_head.weight", entry(t.lmHead()));
        }
        Safetensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
    }

    /** Writes named float tensors (F32) to a safetensors file. */
    public static void writeTensors(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, entry(v)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Safetensors.write(file, out, metadata);
    }

    /** Reads every tensor of a safetensors file as F32 into {@code manager}, in file order. */
    public static Map<String, NDArray> readTensors(Path file, NDManager manager) throws IOException {
        Safetensors st = Safetensors.open(file);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (var e : st.tensors().entrySet()) {
            out.put(e.getKey(), manager.create(st.readF32Array(e.getKey()), new Shape(e.getValue().shape())));
        }
        return out;
    }

    /** The string metadata of a safetensors file. */
    public static Map<String, String> metadata(Path file) throws IOException {
        return Safetensors.open(file).metadata();
    }

    private static Safetensors.Entry entry(NDArray a) {
        return new Safetensors.Entry(a.toFloatArray(), a.getShape().getShape());
    }
}
