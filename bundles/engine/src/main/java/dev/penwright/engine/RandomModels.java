package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.engine.internal.Safetensors;

/**
 * Writes randomly initialised checkpoints in Hugging Face layout (config.json + safetensors with HF tensor names),
 * for tests, benchmarks and as the starting point of a model trained from scratch.
 */
public final class RandomModels {
    private RandomModels() {
    }

    /**
     * How one tensor is drawn: a matrix of normal values with standard deviation {@code std}, or (norm) a vector of
     * 1 + N(0, 0.1²).
     */
    private record Draw(long[] shape, double std, boolean norm) {
        long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        float next(Random rnd) {
            return (float) (norm ? 1.0 + rnd.nextGaussian() * 0.1 : rnd.nextGaussian() * std);
        }
    }

    /** The tensors of a model of this config, HF names in HF order, and how each is drawn: std 1/sqrt(fan_in). */
    private static Map<String, Draw> draws(ModelConfig c) {
        Map<String, Draw> t = new LinkedHashMap<>();
        long d = c.hiddenSize();
        long q = c.queryWidth();
        long kv = c.kvWidth();
        long ffn = c.intermediateSize();
        t.put("model.embed_tokens.weight", new Draw(new long[] {c.vocabSize(), d}, 1.0, false));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", new Draw(new long[] {d}, 0, true));
            t.put(p + "self_attn.q_proj.weight", new Draw(new long[] {q, d}, 1.0 / Math.sqrt(d), false));
            t.put(p + "self_attn.k_proj.weight", new Draw(new long[] {kv, d}, 1.0 / Math.sqrt(d), false));
            t.put(p + "self_attn.v_proj.weight", new Draw(new long[] {kv, d}, 1.0 / Math.sqrt(d), false));
            if (c.attentionBias()) {
                t.put(p + "self_attn.q_proj.bias", new Draw(new long[] {q}, 0.1, false));
                t.put(p + "self_attn.k_proj.bias", new Draw(new long[] {kv}, 0.1, false));
                t.put(p + "self_attn.v_proj.bias", new Draw(new long[] {kv}, 0.1, false));
            }
            t.put(p + "self_attn.o_proj.weight", new Draw(new long[] {d, q}, 1.0 / Math.sqrt(q), false));
            t.put(p + "post_attention_layernorm.weight", new Draw(new long[] {d}, 0, true));
            t.put(p + "mlp.gate_proj.weight", new Draw(new long[] {ffn, d}, 1.0 / Math.sqrt(d), false));
            t.put(p + "mlp.up_proj.weight", new Draw(new long[] {ffn, d}, 1.0 / Math.sqrt(d), false));
            t.put(p + "mlp.down_proj.weight", new Draw(new long[] {d, ffn}, 1.0 / Math.sqrt(ffn), false));
        }
        t.put("model.norm.weight", new Draw(new long[] {d}, 0, true));
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", new Draw(new long[] {c.vocabSize(), d}, 1.0 / Math.sqrt(d), false));
        }
        return t;
    }

    /** The tensors of a model of this config, HF names in HF order, drawn in that order from one seeded stream. */
    static Map<String, Safetensors.Entry> tensors(ModelConfig c, long seed, String dtype) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        draws(c).forEach((name, draw) -> {
            float[] v = new float[Math.toIntExact(draw.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = draw.next(rnd);
            }
            t.put(name, new Safetensors.Entry(v, draw.shape(), dtype));
        });
        return t;
    }

    /**
     * Writes config.json and the weights, in one file or {@code shards} files with model.safetensors.index.json.
     * @param dtype F32, F16 or BF16
     */
    public static void write(Path dir, ModelConfig c, long seed, String dtype, int shards) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        if (shards <= 1) {
            // Streamed a million values at a time: a real shape (Qwen2.5-0.5B: 494M parameters) never sits in memory.
            Map<String, Draw> draws = draws(c);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            draws.forEach((name, draw) -> {
                shapes.put(name, draw.shape());
                dtypes.put(name, dtype);
            });
            Random rnd = new Random(seed);
            float[] chunk = new float[1 << 20];
            Safetensors.write(dir.resolve("model.safetensors"), shapes, dtypes, Map.of("format", "pt"), (name, sink) -> {
                Draw draw = draws.get(name);
                for (long done = 0; done < draw.size(); ) {
                    int n = (int) Math.min(chunk.length, draw.size() - done);
                    for (int i = 0; i < n; i++) {
                        chunk[i] = draw.next(rnd);
                    }
                    sink.accept(chunk, n);
                    done += n;
                }
            });
            return;
        }
        Map<String, Safetensors.Entry> all = tensors(c, seed, dtype);
        List<String> names = new ArrayList<>(all.keySet());
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode weightMap = index.putObject("weight_map");
        int per = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, Safetensors.Entry> part = new LinkedHashMap<>();
            for (int i = s * per; i < Math.min(names.size(), (s + 1) * per); i++) {
                part.put(names.get(i), all.get(names.get(i)));
                weightMap.put(names.get(i), file);
            }
            Safetensors.write(dir.resolve(file), part, Map.of("format", "pt"));
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    }
}
