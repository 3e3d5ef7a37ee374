package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.internal.Safetensors;

/**
 * The configurations users have, each on a random checkpoint written here, against the PyTorch eager reference
 * ({@link TorchReference}): the engine's greedy ids must be the reference's and every log-prob within 1e-3.
 * Each adapter case also checks that the configuration matters (its output differs from the base model's or from a
 * plain reading of the same file), so a case cannot pass by ignoring what it tests.
 */
class TorchParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 40 prompt tokens and 14 new ones: positions far enough apart for rope scaling and the window to matter. */
    private static final long[] PROMPT = new java.util.Random(3).longs(40, 1, 300).toArray();
    private static final int NEW_TOKENS = 14;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    private static TorchReference reference;

    @BeforeAll
    static void startReference() throws Exception {
        reference = TorchReference.start(shared);
    }

    @AfterAll
    static void stopReference() throws Exception {
        if (reference != null) {
            reference.close();
        }
    }

    private static ModelConfig base(String arch, boolean tied, int headDim, int layers) {
        return new ModelConfig(arch, 300, 32, 64, layers, 4, 2, headDim, 10_000.0, 1e-6, 96, tied,
                arch.equals("qwen2"), -1, List.of(0));
    }

    /**
     * Writes a random checkpoint of {@code config} in {@code dtype}, then lets {@code patch} edit its config.json as a
     * user's file would read. Queries and keys are drawn 4× larger than {@link RandomModels} draws them: attention
     * then depends on positions as a trained model's does, instead of averaging almost uniformly.
     */
    private Path model(String name, ModelConfig config, String dtype, Consumer<ObjectNode> patch) throws Exception {
        Path dir = tmp.resolve(name);
        java.nio.file.Files.createDirectories(dir);
        config.write(dir.resolve("config.json"));
        Map<String, Safetensors.Entry> tensors = RandomModels.tensors(config, name.hashCode(), dtype);
        tensors.forEach((tensor, entry) -> {
            if (tensor.endsWith("q_proj.weight") || tensor.endsWith("k_proj.weight")) {
                float[] v = entry.values();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 4;
                }
            }
        });
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        patch.accept(c);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        return dir;
    }

    private List<Double> assertParity(Path model, Path adapterDir) throws Exception {
        return assertParity(model, adapterDir, true, 1e-3);
    }

    /**
     * @param f32       load every weight as F32 (the exact path); otherwise half-precision checkpoints stay half
     * @param tolerance on each log-prob, and on the two picks where greedy ids part (a tie)
     */
    private List<Double> assertParity(Path model, Path adapterDir, boolean f32, double tolerance) throws Exception {
        assumeTrue(reference != null, "no Python with torch (Debian: apt-get install python3-torch); parity not checked");
        TorchReference.Result want = reference.greedy(model, adapterDir, PROMPT, NEW_TOKENS);
        Generation got = generate(model, adapterDir, f32);
        String both = " (reference " + want.ids() + " " + want.logprobs() + ", engine " + got.tokenIds() + " "
                + got.logprobs() + ")";
        int same = 0;
        while (same < Math.min(want.ids().size(), got.tokenIds().size())
                && want.ids().get(same).equals(got.tokenIds().get(same))) {
            assertEquals(want.logprobs().get(same), got.logprobs().get(same), tolerance, "log-prob of token " + same + both);
            same++;
        }
        if (same < Math.max(want.ids().size(), got.tokenIds().size())) {
            // Greedy may part only at a tie: both picks equally likely (random tiny models have flat distributions).
            assertTrue(same < want.ids().size() && same < got.tokenIds().size()
                    && Math.abs(want.logprobs().get(same) - got.logprobs().get(same)) <= tolerance && same >= NEW_TOKENS / 2,
                    "greedy ids part at token " + same + " without a tie" + both);
        }
        return got.logprobs();
    }

    private static Generation generate(Path model, Path adapterDir) throws Exception {
        return generate(model, adapterDir, false);
    }

    private static Generation generate(Path model, Path adapterDir, boolean f32) throws Exception {
        try (LanguageModel m = f32 ? LanguageModel.loadF32(model) : LanguageModel.load(model)) {
            if (adapterDir == null) {
                return m.generate(new GenerateRequest(PROMPT, GenerationOptions.greedy(NEW_TOKENS), null));
            }
            try (LoraAdapter a = m.loadAdapter(adapterDir)) {
                return m.generate(new GenerateRequest(PROMPT, GenerationOptions.greedy(NEW_TOKENS), a));
            }
        }
    }

    /** The case must matter: without its feature the log-probs move by ten times the parity tolerance at least. */
    private static void assertChanged(List<Double> with, List<Double> without, String what) {
        double most = 0;
        for (int i = 0; i < Math.min(with.size(), without.size()); i++) {
            most = Math.max(most, Math.abs(with.get(i) - without.get(i)));
        }
        assertTrue(most > 1e-2 || with.size() != without.size(), what + " gives nearly the same log-probs (largest"
                + " difference " + most + "): this case would not notice the feature being ignored");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama3-rope_parameters", "linear-type-key", "head_dim", "tied-F32", "tied-F16",
            "tied-BF16", "mistral-window", "qwen2-window"})
    void checkpointConfigurations(String name) throws Exception {
        Path dir = switch (name) {
            // Llama 3.1/3.2: with head_dim 8 the four wavelengths (6.3, 63, 628, 6283) fall in all three llama3
            // bands for an original context of 64 (kept below 16, smoothed between, divided by 8 above 64).
            case "llama3" -> model(name, base("llama", true, 8, 2), "F32", c -> c.set("rope_scaling", JSON.valueToTree(
                    Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                            "original_max_position_embeddings", 64))));
            // transformers 5 writes rope_theta inside rope_parameters.
            case "llama3-rope_parameters" -> model(name, base("llama", false, 8, 2), "F32", c -> {
                c.remove("rope_theta");
                c.set("rope_parameters", JSON.valueToTree(Map.of("rope_type", "llama3", "rope_theta", 500_000.0,
                        "factor", 32.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                        "original_max_position_embeddings", 64)));
            });
            case "linear-type-key" -> model(name, base("llama", false, 8, 2), "F32",
                    c -> c.set("rope_scaling", JSON.valueToTree(Map.of("type", "linear", "factor", 4.0))));
            // head_dim 16 with hidden 32 and 4 heads: queries are 64 wide, not hidden_size.
            case "head_dim" -> model(name, base("qwen2", false, 16, 2), "F32", c -> { });
            case "tied-F32", "tied-F16", "tied-BF16" ->
                    model(name, base("qwen2", true, 8, 2), name.substring(5), c -> { });
            // Mistral as HF writes it (no layer_types): every layer windowed; 8 + 14 positions pass a window of 5.
            case "mistral-window" -> model(name, base("mistral", false, 8, 2).with(RopeScaling.NONE, 5, List.of(0, 1)),
                    "F32", c -> c.remove("layer_types"));
            // Qwen2 with use_sliding_window: layers from max_window_layers on are windowed, the first is not.
            case "qwen2-window" -> model(name, base("qwen2", false, 8, 2).with(RopeScaling.NONE, 5, List.of(1)), "F32",
                    c -> {
                        c.remove("layer_types");
                        c.put("max_window_layers", 1);
                    });
            default -> throw new IllegalArgumentException(name);
        };
        List<Double> with = assertParity(dir, null);
        if (name.equals("tied-F16") || name.equals("tied-BF16")) {
            // Held in half precision, matmul inputs are rounded to it too: BF16 keeps 8 bits of mantissa, F16 11.
            assertParity(dir, null, false, name.equals("tied-BF16") ? 0.1 : 0.02);
        }
        if (name.contains("window") || name.contains("llama3") || name.contains("linear")) {
            // The feature must change the output: the same weights with plain RoPE and full attention differ.
            ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
            c.remove(List.of("rope_scaling", "rope_parameters", "sliding_window", "layer_types"));
            c.put("rope_theta", name.equals("llama3-rope_parameters") ? 500_000.0 : 10_000.0);
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
            assertChanged(with, generate(dir, null).logprobs(), "plain RoPE and full attention");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default-alpha", "regex", "suffix-list", "rslora", "layers_to_transform",
            "layers_to_transform-int", "patterns", "all-linear"})
    void peftAdapterSemantics(String name) throws Exception {
        Path dir = model("base", base("llama", false, 8, 3), "F32", c -> { });
        Path adapterDir = tmp.resolve("adapter-" + name);
        // One file with LoRA tensors on every projection of every layer; the config decides which of them apply.
        try (LanguageModel m = LanguageModel.load(dir);
             LoraAdapter a = m.createAdapter("all", new LoraConfig(4, 16, LoraConfig.MODULES, Map.of("o_proj", 2),
                     Map.of(), false, ""), 9, false)) {
            a.save(adapterDir);
        }
        ObjectNode c = (ObjectNode) JSON.readTree(adapterDir.resolve("adapter_config.json").toFile());
        c.remove("rank_pattern");
        c.set("rank_pattern", JSON.valueToTree(Map.of("o_proj", 2)));
        switch (name) {
            case "default-alpha" -> {
                c.remove("lora_alpha");
                c.set("target_modules", JSON.valueToTree(List.of("q_proj", "v_proj", "down_proj")));
            }
            case "regex" -> c.put("target_modules", ".*\\.(q_proj|down_proj)");
            case "suffix-list" -> c.set("target_modules", JSON.valueToTree(List.of("self_attn.o_proj", "mlp.up_proj", "k_proj")));
            case "rslora" -> c.put("use_rslora", true);
            case "layers_to_transform" -> c.set("layers_to_transform", JSON.valueToTree(List.of(0, 2)));
            case "layers_to_transform-int" -> c.put("layers_to_transform", 1);
            case "patterns" -> c.set("alpha_pattern", JSON.valueToTree(Map.of("layers.1.mlp.down_proj", 64, "q_proj", 2)));
            case "all-linear" -> c.put("target_modules", "all-linear");
            default -> throw new IllegalArgumentException(name);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(adapterDir.resolve("adapter_config.json").toFile(), c);
        List<Double> with = assertParity(dir, adapterDir);
        assertChanged(with, generate(dir, null).logprobs(), "the base model without the adapter");
    }
}
