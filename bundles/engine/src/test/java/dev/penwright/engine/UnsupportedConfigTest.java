package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Configurations the engine would compute wrongly are refused when read, with an error that names the field, and
 * the refusal loses nothing: the folder is left as it was.
 */
class UnsupportedConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 32}|rope_scaling.rope_type 'yarn'",
            "{\"type\": \"dynamic\", \"factor\": 2.0}|rope_scaling.type 'dynamic'",
            "{\"rope_type\": \"longrope\", \"short_factor\": [1], \"long_factor\": [2]}|rope_scaling.rope_type 'longrope'",
            "{\"rope_type\": \"llama3\", \"factor\": 8.0}|rope_scaling.low_freq_factor",
            "{\"type\": \"linear\"}|rope_scaling.factor",
            "{\"rope_type\": \"linear\", \"factor\": 2.0, \"attention_factor\": 0.5}|rope_scaling.attention_factor",
            "{\"rope_type\": \"default\", \"partial_rotary_factor\": 0.5}|partial_rotary_factor"})
    void unsupportedRopeScalingIsRefusedByName(String scaling, String named) throws Exception {
        Path dir = tmp.resolve("m");
        RandomModels.write(dir, TinyModels.config("llama", 300, false), 1, "F32", 1);
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        c.set("rope_scaling", JSON.readTree(scaling));
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
        byte[] before = Files.readAllBytes(dir.resolve("config.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LanguageModel.load(dir));
        assertTrue(e.getMessage().contains(named) && e.getMessage().contains("config.json"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("config.json"))), "the file is untouched");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "use_dora;true;use_dora true",
            "modules_to_save;[\"lm_head\"];modules_to_save [\"lm_head\"]",
            "exclude_modules;[\"q_proj\"];exclude_modules",
            "lora_bias;true;lora_bias true",
            "layer_replication;[[0, 2]];layer_replication",
            "trainable_token_indices;[3, 4];trainable_token_indices",
            "target_parameters;[\"mlp.experts.gate_up_proj\"];target_parameters",
            "target_modules;\".*(q_proj|lm_head)\";matches module 'lm_head'",
            "target_modules;\".*self_attn\";matches module 'model.layers.0.self_attn'",
            "target_modules;\"q_proj\";matches no module",
            "target_modules;[\"c_attn\"];matches no module",
            "target_modules;\"([\";not a valid regular expression",
            "layers_to_transform;[5];matches no module",
            "layers_pattern;\"h\";layers_pattern \"h\"",
            "bias;\"all\";bias 'all'"})
    void unsupportedAdapterConfigIsRefusedByName(String field, String value, String named) throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), "llama", false, 2);
        Path adapterDir = tmp.resolve("a");
        try (LanguageModel model = LanguageModel.load(dir)) {
            try (LoraAdapter a = model.createAdapter("a", LoraConfig.of(2, 4, LoraConfig.MODULES), 1, false)) {
                a.save(adapterDir);
            }
            ObjectNode c = (ObjectNode) JSON.readTree(adapterDir.resolve("adapter_config.json").toFile());
            c.set(field, JSON.readTree(value));
            JSON.writeValue(adapterDir.resolve("adapter_config.json").toFile(), c);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> model.loadAdapter(adapterDir));
            assertTrue(e.getMessage().contains(named) && e.getMessage().contains("adapter_config.json"), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\"q_proj\"|[0]", "\".*q_proj\"|1"})
    void layersToTransformWithAStringTargetIsRefusedAsPeftDoes(String targets, String layers) throws Exception {
        Path f = tmp.resolve("adapter_config.json");
        Files.writeString(f, "{\"peft_type\": \"LORA\", \"r\": 4, \"target_modules\": " + targets
                + ", \"layers_to_transform\": " + layers + "}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LoraConfig.read(f));
        assertTrue(e.getMessage().contains("layers_to_transform cannot be used when target_modules is a string"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{}|8.0|[q_proj, v_proj]", "{\"lora_alpha\": 32, \"target_modules\": \"all-linear\"}|32.0|"
            + "[q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]"})
    void peftDefaults(String json, double alpha, String targets) throws Exception {
        Path f = tmp.resolve("adapter_config.json");
        Files.writeString(f, json);
        LoraConfig c = LoraConfig.read(f);
        assertTrue(c.loraAlpha() == alpha && c.r() == 8 && c.targetModules().toString().equals(targets), c.toString());
        assertTrue(c.targets("model.layers.3.self_attn.q_proj") && !c.targets("lm_head"), c.toString());
    }
}
