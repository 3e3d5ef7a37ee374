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

    /** The tensors of a model of this config, HF names in HF order, drawn with std 1/sqrt(fan_in). */
    static Map<String, Safetensors.Entry> tensors(ModelConfig c, long seed, String dtype) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        int d = c.hiddenSize();
        t.put("model.embed_tokens.weight", matrix(rnd, c.vocabSize(), d, 1.0, dtype));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", norm(rnd, d, dtype));
            t.put(p + "self_attn.q_proj.weight", matrix(rnd, c.queryWidth(), d, 1.0 / Math.sqrt(d), dtype));
            t.put(p + "self_attn.k_proj.weight", matrix(rnd, c.kvWidth(), d, 1.0 / Math.sqrt(d), dtype));
            t.put(p + "self_attn.v_proj.weight", matrix(rnd, c.kvWidth(), d, 1.0 / Math.sqrt(d), dtype));
            if (c.attentionBias()) {
                t.put(p + "self_attn.q_proj.bias", matrix(rnd, 1, c.queryWidth(), 0.1, dtype).reshaped(c.queryWidth()));
                t.put(p + "self_attn.k_proj.bias", matrix(rnd, 1, c.kvWidth(), 0.1, dtype).reshaped(c.kvWidth()));
                t.put(p + "self_attn.v_proj.bias", matrix(rnd, 1, c.kvWidth(), 0.1, dtype).reshaped(c.kvWidth()));
            }
            t.put(p + "self_attn.o_proj.weight", matrix(rnd, d, c.queryWidth(), 1.0 / Math.sqrt(c.queryWidth()), dtype));
            t.put(p + "post_attention_layernorm.weight", norm(rnd, d, dtype));
            t.put(p + "mlp.gate_proj.weight", matrix(rnd, c.intermediateSize(), d, 1.0 / Math.sqrt(d), dtype));
            t.put(p + "mlp.up_proj.weight", matrix(rnd, c.intermediateSize(), d, 1.0 / Math.sqrt(d), dtype));
            t.put(p + "mlp.down_proj.weight", matrix(rnd, d, c.intermediateSize(), 1.0 / Math.sqrt(c.intermediateSize()), dtype));
        }
        t.put("model.norm.weight", norm(rnd, d, dtype));
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", matrix(rnd, c.vocabSize(), d, 1.0 / Math.sqrt(d), dtype));
        }
        return t;
    }

    /**
     * Writes config.json and the weights, in one file or {@code shards} files with model.safetensors.index.json.
     * @param dtype F32, F16 or BF16
     */
    public static void write(Path dir, ModelConfig c, long seed, String dtype, int shards) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        Map<String, Safetensors.Entry> all = tensors(c, seed, dtype);
        if (shards <= 1) {
            Safetensors.write(dir.resolve("model.safetensors"), all, Map.of("format", "pt"));
            return;
        }
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

    private static Safetensors.Entry matrix(Random rnd, int rows, int cols, double std, String dtype) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return new Safetensors.Entry(v, new long[] {rows, cols}, dtype);
    }

    private static Safetensors.Entry norm(Random rnd, int d, String dtype) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) (1.0 + rnd.nextGaussian() * 0.1);
        }
        return new Safetensors.Entry(v, new long[] {d}, dtype);
    }
}
