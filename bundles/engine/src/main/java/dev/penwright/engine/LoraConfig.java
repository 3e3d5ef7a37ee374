package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A PEFT {@code adapter_config.json} (peft_type LORA), with PEFT's semantics: which modules carry LoRA is decided
 * by {@link #targets(String)} as PEFT's {@code check_target_module_exists} decides it, and the scale of a module is
 * alpha/r (alpha/sqrt(r) with rsLoRA) with PEFT's defaults (r 8, lora_alpha 8).
 *
 * @param r                   default rank
 * @param loraAlpha           default alpha
 * @param targetModules       target_modules as a list: a module is targeted when its name equals an entry or ends
 *                            with '.' + entry; empty when {@code targetRegex} is set
 * @param rankPattern         per-module rank overrides, keys matched as PEFT does (a name suffix or a regex)
 * @param alphaPattern        per-module alpha overrides
 * @param useRslora           scale alpha/sqrt(r) instead of alpha/r
 * @param baseModelNameOrPath what the adapter was trained on (informational)
 * @param targetRegex         target_modules as a string: a regular expression the whole module name must match
 *                            (PEFT's re.fullmatch), or null
 * @param layersToTransform   with a list of targets, only these layer indexes carry LoRA (empty: every layer)
 */
public record LoraConfig(int r, double loraAlpha, List<String> targetModules, Map<String, Integer> rankPattern,
                         Map<String, Double> alphaPattern, boolean useRslora, String baseModelNameOrPath,
                         String targetRegex, List<Integer> layersToTransform) {
    public static final List<String> MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    /** PEFT's default lora_alpha (LoraConfig.lora_alpha = 8), used when adapter_config.json omits it. */
    public static final double DEFAULT_ALPHA = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
        rankPattern = Map.copyOf(rankPattern);
        alphaPattern = Map.copyOf(alphaPattern);
        baseModelNameOrPath = baseModelNameOrPath == null ? "" : baseModelNameOrPath;
        layersToTransform = layersToTransform == null ? List.of() : List.copyOf(layersToTransform);
        if (targetRegex != null && !layersToTransform.isEmpty()) {
            throw new IllegalArgumentException("layers_to_transform cannot be used when target_modules is a string");
        }
    }

    /** A config targeting a list of module names in every layer. */
    public LoraConfig(int r, double loraAlpha, List<String> targetModules, Map<String, Integer> rankPattern,
                      Map<String, Double> alphaPattern, boolean useRslora, String baseModelNameOrPath) {
        this(r, loraAlpha, targetModules, rankPattern, alphaPattern, useRslora, baseModelNameOrPath, null, List.of());
    }

    public static LoraConfig of(int r, double alpha, List<String> targets) {
        return new LoraConfig(r, alpha, targets, Map.of(), Map.of(), false, "");
    }

    /**
     * Whether the module of this full name (as PEFT names it without its wrapper: model.layers.3.self_attn.q_proj)
     * carries LoRA: a string target_modules must match the whole name; a list entry must equal the name or be a
     * '.'-suffix of it, and then layers_to_transform (when set) must hold the index after ".layers.".
     */
    public boolean targets(String moduleName) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(moduleName).matches();
        }
        if (targetModules.contains(moduleName)) {
            return true;
        }
        boolean suffix = targetModules.stream().anyMatch(t -> moduleName.endsWith("." + t));
        if (!suffix || layersToTransform.isEmpty()) {
            return suffix;
        }
        Matcher m = LAYER_INDEX.matcher(moduleName);
        return m.matches() && layersToTransform.contains(Integer.parseInt(m.group(1)));
    }

    // PEFT's default layer pattern, ".*\.[^.]*\.(\d+)\.", used with match(): a prefix, then "name.N." somewhere.
    private static final Pattern LAYER_INDEX = Pattern.compile(".*\\.[^.]*\\.(\\d+)\\..*");

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

    // PEFT's get_pattern_key: the first key k with re.match("(.*\.)?(k)$", name); keys may be regexes.
    private static String patternKey(Iterable<String> keys, String moduleName) {
        for (String k : keys) {
            if (Pattern.compile("(.*\\.)?(" + k + ")").matcher(moduleName).matches()) {
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
        for (String field : UNSUPPORTED) {
            JsonNode v = c.get(field);
            boolean set = v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean())
                    && !(v.isContainerNode() && v.isEmpty());
            if (set) {
                throw ModelFormatException.of(file, null, field + " " + v + " is not supported: the engine applies plain"
                        + " LoRA (W + scale·B·A) to q/k/v/o/gate/up/down projections only, and would load this adapter wrongly");
            }
        }
        String bias = c.path("bias").asText("none");
        if (!"none".equals(bias)) {
            throw ModelFormatException.of(file, null, "bias '" + bias + "' is not supported (only none)");
        }
        int r = c.path("r").asInt(8);
        if (r <= 0) {
            throw ModelFormatException.of(file, null, "r must be positive, got " + c.get("r"));
        }
        List<String> targets = new ArrayList<>();
        String regex = null;
        JsonNode t = c.get("target_modules");
        if (t == null || t.isNull()) {
            targets.addAll(PEFT_DEFAULT_TARGETS); // PEFT's mapping for llama, mistral and qwen2
        } else if (t.isArray()) {
            t.forEach(x -> targets.add(x.asText()));
        } else if (t.isTextual() && "all-linear".equalsIgnoreCase(t.asText())) {
            targets.addAll(MODULES); // every linear layer but the output head, as PEFT expands it
        } else if (t.isTextual()) {
            regex = t.asText();
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw ModelFormatException.of(file, null, "target_modules '" + regex + "' is not a valid regular expression: "
                        + e.getDescription());
            }
        } else {
            throw ModelFormatException.of(file, null, "target_modules must be a list of names or a string, got " + t);
        }
        List<Integer> layers = new ArrayList<>();
        JsonNode l = c.get("layers_to_transform");
        if (l != null && l.isArray()) {
            l.forEach(x -> layers.add(x.asInt()));
        } else if (l != null && l.canConvertToInt()) {
            layers.add(l.asInt());
        } else if (l != null && !l.isNull()) {
            throw ModelFormatException.of(file, null, "layers_to_transform must be an integer or a list, got " + l);
        }
        if (regex != null && !layers.isEmpty()) {
            throw ModelFormatException.of(file, null, "layers_to_transform cannot be used when target_modules is a string"
                    + " (PEFT refuses this config too)");
        }
        JsonNode pattern = c.get("layers_pattern");
        if (pattern != null && !pattern.isNull() && !(pattern.isContainerNode() && pattern.isEmpty())
                && !"layers".equals(pattern.asText()) && !(pattern.isArray() && pattern.toString().contains("\"layers\""))) {
            throw ModelFormatException.of(file, null, "layers_pattern " + pattern + " does not name this architecture's"
                    + " layer list ('layers')");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        c.path("rank_pattern").fields().forEachRemaining(e -> ranks.put(e.getKey(), e.getValue().asInt()));
        Map<String, Double> alphas = new LinkedHashMap<>();
        c.path("alpha_pattern").fields().forEachRemaining(e -> alphas.put(e.getKey(), e.getValue().asDouble()));
        return new LoraConfig(r, c.path("lora_alpha").asDouble(DEFAULT_ALPHA), regex == null ? targets : List.of(),
                ranks, alphas, c.path("use_rslora").asBoolean(false), c.path("base_model_name_or_path").asText(""),
                regex, layers);
    }

    /** PEFT's default target_modules for llama, mistral and qwen2, when adapter_config.json has none. */
    static final List<String> PEFT_DEFAULT_TARGETS = List.of("q_proj", "v_proj");

    /**
     * adapter_config.json fields that change what an adapter computes beyond plain LoRA on linear projections:
     * an adapter that sets one is refused rather than loaded wrongly.
     */
    static final List<String> UNSUPPORTED = List.of("use_dora", "fan_in_fan_out", "modules_to_save", "exclude_modules",
            "lora_bias", "target_parameters", "layer_replication", "trainable_token_indices", "alora_invocation_tokens",
            "use_qalora", "megatron_config", "velora_config", "monteclora_config", "use_bdlora", "arrow_config",
            "kasa_config");

    /**
     * Checks what this config targets in a llama-family model of {@code layers} layers, as PEFT would: every module
     * it matches must be one the engine adapts (a q/k/v/o/gate/up/down projection) and it must match one at least.
     */
    public void checkTargets(int layers, Path file) throws ModelFormatException {
        boolean any = false;
        for (String name : moduleNames(layers)) {
            if (!targets(name)) {
                continue;
            }
            String last = name.substring(name.lastIndexOf('.') + 1);
            if (!MODULES.contains(last) || !name.startsWith("model.layers.")) {
                throw ModelFormatException.of(file, null, "target_modules " + describeTargets() + " matches module '" + name
                        + "', which the engine cannot adapt (only " + MODULES + " of the decoder layers)");
            }
            any = true;
        }
        if (!any) {
            throw ModelFormatException.of(file, null, "target_modules " + describeTargets()
                    + (layersToTransform.isEmpty() ? "" : " with layers_to_transform " + layersToTransform)
                    + " matches no module of a " + layers + "-layer model");
        }
    }

    private String describeTargets() {
        return targetRegex != null ? "'" + targetRegex + "'" : targetModules.toString();
    }

    /** Every module name of a Llama/Mistral/Qwen2 causal LM in transformers, as PEFT walks them. */
    static List<String> moduleNames(int layers) {
        List<String> names = new ArrayList<>(List.of("model", "model.embed_tokens", "model.layers", "model.norm",
                "model.rotary_emb", "lm_head"));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l;
            names.addAll(List.of(p, p + ".self_attn", p + ".mlp", p + ".mlp.act_fn", p + ".input_layernorm",
                    p + ".post_attention_layernorm"));
            for (String m : MODULES) {
                names.add(moduleName(l, m));
            }
        }
        return names;
    }

    /** The full name of a projection: model.layers.3.self_attn.q_proj, model.layers.3.mlp.down_proj. */
    public static String moduleName(int layer, String module) {
        String block = module.startsWith("gate") || module.startsWith("up") || module.startsWith("down") ? "mlp" : "self_attn";
        return "model.layers." + layer + "." + block + "." + module;
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
        if (targetRegex != null) {
            c.put("target_modules", targetRegex);
        } else {
            var tm = c.putArray("target_modules");
            targetModules.forEach(tm::add);
        }
        if (!layersToTransform.isEmpty()) {
            var lt = c.putArray("layers_to_transform");
            layersToTransform.forEach(lt::add);
        }
        var rp = c.putObject("rank_pattern");
        rankPattern.forEach(rp::put);
        var ap = c.putObject("alpha_pattern");
        alphaPattern.forEach(ap::put);
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), c);
    }
}
