package dev.penwright.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
     * pass. The masks come from a SplitMix64 stream seeded by one draw of {@code rnd}, so a resumed run that replays
     * the same {@code rnd} drops the same entries.
     */
    public static NDArray logits(LanguageModel model, long[][] ids, LoraAdapter adapter, double dropout, Random rnd) {
        if (adapter == null || dropout <= 0) {
            return model.logits(ids, adapter);
        }
        if (dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be below 1, got " + dropout);
        }
        int layers = model.config().numLayers();
        int b = ids.length;
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (LoraAdapter.Module m : adapter.modules()) {
            ranks.put(m.layer() + "." + m.name(), (int) m.a().getShape().get(0));
        }
        InputDropout drop = new InputDropout(dropout, rnd.nextLong());
        LoraBatch batch = new LoraBatch() {
            @Override
            public NDArray at(int layer, LoraGroup group) {
                return adapter.fusedA(layer, group.ordinal());
            }

            @Override
            public NDArray bt(int layer, LoraGroup group) {
                return adapter.fusedB(layer, group.ordinal());
            }

            @Override
            public NDArray mask(int layer, LoraGroup group) {
                return null;
            }

            @Override
            public NDArray low(int layer, LoraGroup group, NDArray h, NDArray at) {
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
        // The masks and dropped inputs stay in the caller's NDScope (closed after its backward).
        NDArray hidden = ModelInternals.transformer(model).forward(ids, new int[b], null, 0, batch);
        return ModelInternals.transformer(model).logits(hidden);
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
