package dev.penwright.stylepacks.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.penwright.stylepacks.StylePackJar;

/** Tiny base models and style packs written by tests: used by this bundle's tests and the runtime's (test-jar). */
public final class PackFixtures {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final int HIDDEN = 16;
    public static final int LAYERS = 1;
    public static final int VOCAB = 32;
    public static final int RANK = 2;

    private PackFixtures() {
    }

    /** A llama config and F32 weights of the right shapes (random values: only the layout matters here). */
    public static Path writeModel(Path modelsDir, String id) throws IOException {
        Path dir = Files.createDirectories(modelsDir.resolve(id));
        ObjectNode config = JSON.createObjectNode();
        config.put("model_type", "llama").put("hidden_size", HIDDEN).put("intermediate_size", 2 * HIDDEN)
                .put("num_hidden_layers", LAYERS).put("num_attention_heads", 2).put("num_key_value_heads", 2)
                .put("vocab_size", VOCAB).put("max_position_embeddings", 64).put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0).put("tie_word_embeddings", true);
        config.putArray("architectures").add("LlamaForCausalLM");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        Map<String, int[]> tensors = new LinkedHashMap<>();
        tensors.put("model.embed_tokens.weight", new int[] {VOCAB, HIDDEN});
        for (int layer = 0; layer < LAYERS; layer++) {
            String p = "model.layers." + layer + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                tensors.put(p + "self_attn." + proj + ".weight", new int[] {HIDDEN, HIDDEN});
            }
            tensors.put(p + "mlp.gate_proj.weight", new int[] {2 * HIDDEN, HIDDEN});
            tensors.put(p + "mlp.up_proj.weight", new int[] {2 * HIDDEN, HIDDEN});
            tensors.put(p + "mlp.down_proj.weight", new int[] {HIDDEN, 2 * HIDDEN});
            tensors.put(p + "input_layernorm.weight", new int[] {HIDDEN});
            tensors.put(p + "post_attention_layernorm.weight", new int[] {HIDDEN});
        }
        tensors.put("model.norm.weight", new int[] {HIDDEN});
        writeSafetensors(dir.resolve("model.safetensors"), tensors, new Random(7), false);
        return dir;
    }

    /** A complete, valid pack folder for {@code styleId} on base model {@code baseModel}. */
    public static Path writeStyleFolder(Path dir, String styleId, String name, String baseModel) throws IOException {
        Files.createDirectories(dir);
        ObjectNode style = JSON.createObjectNode();
        style.put("id", styleId).put("name", name).put("language", "en")
                .put("description", "A test voice.").put("baseModel", baseModel)
                .put("promptTemplate", "{title}\n{facts}\n").put("license", "public domain")
                .put("provenance", "written by the test");
        JSON.writeValue(dir.resolve("style.json").toFile(), style);
        ObjectNode adapter = JSON.createObjectNode();
        adapter.put("peft_type", "LORA").put("r", RANK).put("lora_alpha", 2 * RANK).put("lora_dropout", 0.0)
                .put("base_model_name_or_path", baseModel);
        adapter.putArray("target_modules").add("q_proj").add("v_proj");
        JSON.writeValue(dir.resolve("adapter_config.json").toFile(), adapter);
        Map<String, int[]> lora = new LinkedHashMap<>();
        for (String proj : new String[] {"q_proj", "v_proj"}) {
            String p = "base_model.model.model.layers.0.self_attn." + proj + ".";
            lora.put(p + "lora_A.weight", new int[] {RANK, HIDDEN});
            lora.put(p + "lora_B.weight", new int[] {HIDDEN, RANK});
        }
        writeSafetensors(dir.resolve("adapter_model.safetensors"), lora, new Random(3), true);
        Files.writeString(dir.resolve("exemplars.jsonl"),
                "{\"id\":\"1\",\"title\":\"one\",\"text\":\"The first exemplar.\"}\n"
                        + "{\"id\":\"2\",\"title\":\"two\",\"text\":\"The second exemplar.\"}\n");
        Files.writeString(dir.resolve("report.json"), "{\"note\":\"untrained test pack\"}");
        return dir;
    }

    public static Path writePack(Path jar, Path styleDir, String styleId, String version) throws IOException {
        StylePackJar.write(jar, styleId, version, styleDir);
        return jar;
    }

    /**
     * Writes F32 tensors in safetensors layout: 8-byte little-endian header length, JSON header, data.
     *
     * @param zeroLoraB whether tensors named lora_B are zero (a LoRA that starts as the identity)
     */
    public static void writeSafetensors(Path file, Map<String, int[]> tensors, Random random, boolean zeroLoraB)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, int[]> t : tensors.entrySet()) {
            long bytes = 4L * elements(t.getValue());
            ObjectNode entry = header.putObject(t.getKey());
            entry.put("dtype", "F32");
            var shape = entry.putArray("shape");
            for (int d : t.getValue()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Map.Entry<String, int[]> t : tensors.entrySet()) {
                boolean zero = zeroLoraB && t.getKey().contains("lora_B");
                ByteBuffer data = ByteBuffer.allocate(4 * elements(t.getValue())).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < elements(t.getValue()); i++) {
                    data.putFloat(zero ? 0f : (float) (random.nextGaussian() * 0.02));
                }
                out.write(data.array());
            }
        }
    }

    private static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
