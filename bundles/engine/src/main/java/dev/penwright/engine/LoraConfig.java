package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A PEFT {@code adapter_config.json} (peft_type LORA).
 *
 * @param r                   default rank
 * @param loraAlpha           default alpha
 * @param targetModules       module names (q_proj, …, down_proj) that carry LoRA
 * @param rankPattern         per-module rank overrides, keys matched as PEFT does (a name suffix or a regex)
 * @param alphaPattern        per-module alpha overrides
 * @param useRslora           scale alpha/sqrt(r) instead of alpha/r
 * @param baseModelNameOrPath what the adapter was trained on (informational)
 */
public record LoraConfig(int r, double loraAlpha, List<String> targetModules, Map<String, Integer> rankPattern,
                         Map<String, Double> alphaPattern, boolean useRslora, String baseModelNameOrPath) {
    public static final List<String> MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
        rankPattern = Map.copyOf(rankPattern);
        alphaPattern = Map.copyOf(alphaPattern);
        baseModelNameOrPath = baseModelNameOrPath == null ? "" : baseModelNameOrPath;
    }

    public static LoraConfig of(int r, double alpha, List<String> targets) {
        return new LoraConfig(r, alpha, targets, Map.of(), Map.of(), false, "");
    }

    /** The rank of a module, named as PEFT names it without the wrapper: model.layers.3.self_attn.q_proj. */
    public int rankOf(String moduleName) {
        String key = patternKey(rankPattern.keySet(), moduleName);
        return key == null ? r : rankPattern.get(key);
    }

    public double alphaOf(String moduleName) {
        String key = patternKey(alphaPattern.keySet(), moduleName);
        return key == null ? loraAlpha : alphaPattern.get(key);
    }

    public double scaleOf(String moduleName) {
        int rank = rankOf(moduleName);
        double alpha = alphaOf(moduleName);
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    // PEFT matches a pattern key against the end of the module name at a dot boundary; keys may be regexes.
    private static String patternKey(Iterable<String> keys, String moduleName) {
        for (String k : keys) {
            if (moduleName.equals(k) || moduleName.endsWith("." + k)
                    || Pattern.compile("(^|.*\\.)(" + k + ")$").matcher(moduleName).matches()) {
                return k;
            }
        }
        return null;
    }

    public static LoraConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw ModelFormatException.of(file, null, "no such file");
        }
        JsonNode c;
        try {
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw ModelFormatException.of(file, null, "not valid JSON: " + e.getMessage());
        }
        String type = c.path("peft_type").asText("LORA");
        if (!"LORA".equalsIgnoreCase(type)) {
            throw ModelFormatException.of(file, null, "peft_type " + type + " is not supported (only LORA)");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw ModelFormatException.of(file, null, "DoRA adapters (use_dora) are not supported");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw ModelFormatException.of(file, null, "fan_in_fan_out adapters are not supported");
        }
        String bias = c.path("bias").asText("none");
        if (!"none".equals(bias)) {
            throw ModelFormatException.of(file, null, "bias '" + bias + "' is not supported (only none)");
        }
        int r = c.path("r").asInt(8);
        if (r <= 0) {
            throw ModelFormatException.of(file, null, "r must be positive");
        }
        List<String> targets = new ArrayList<>();
        JsonNode t = c.get("target_modules");
        if (t != null && t.isArray()) {
            t.forEach(x -> targets.add(x.asText()));
        } else if (t != null && t.isTextual()) {
            String s = t.asText();
            if ("all-linear".equals(s)) {
                targets.addAll(MODULES);
            } else {
                Pattern p = Pattern.compile(s);
                for (String m : MODULES) {
                    if (p.matcher(m).find()) {
                        targets.add(m);
                    }
                }
            }
        }
        for (String target : targets) {
            if (!MODULES.contains(target)) {
                throw ModelFormatException.of(file, null, "target module '" + target + "' is not one of " + MODULES);
            }
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        c.path("rank_pattern").fields().forEachRemaining(e -> ranks.put(e.getKey(), e.getValue().asInt()));
        Map<String, Double> alphas = new LinkedHashMap<>();
        c.path("alpha_pattern").fields().forEachRemaining(e -> alphas.put(e.getKey(), e.getValue().asDouble()));
        return new LoraConfig(r, c.path("lora_alpha").asDouble(r), targets, ranks, alphas,
                c.path("use_rslora").asBoolean(false), c.path("base_model_name_or_path").asText(""));
    }

    public void write(Path file) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModelNameOrPath);
        c.put("r", r);
        c.put("lora_alpha", loraAlpha);
        c.put("lora_dropout", 0.0);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("use_rslora", useRslora);
        c.put("use_dora", false);
        var tm = c.putArray("target_modules");
        targetModules.forEach(tm::add);
        var rp = c.putObject("rank_pattern");
        rankPattern.forEach(rp::put);
        var ap = c.putObject("alpha_pattern");
        alphaPattern.forEach(ap::put);
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), c);
    }
}
