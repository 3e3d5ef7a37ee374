package dev.penwright.engine;

import java.nio.file.Path;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a checkpoint scales its rotary frequencies: HF's {@code rope_scaling} (or, from transformers 5 on,
 * {@code rope_parameters}). Types {@code default}, {@code linear} (every frequency divided by {@code factor}) and
 * {@code llama3} (Llama 3.1/3.2: long wavelengths divided by {@code factor}, short ones kept, a smooth blend
 * between) are computed as transformers' modeling_rope_utils computes them; every other type (yarn, dynamic,
 * longrope, …) changes attention in ways the engine does not implement, so it is refused when read.
 *
 * @param type                 default, linear or llama3
 * @param factor               the scaling factor (1 for default)
 * @param lowFreqFactor        llama3: wavelengths above original/lowFreqFactor are divided by factor
 * @param highFreqFactor       llama3: wavelengths below original/highFreqFactor are kept
 * @param originalMaxPositions llama3: the pre-training context the thresholds are relative to
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {
    public static final Set<String> TYPES = Set.of("default", "linear", "llama3");
    public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

    public RopeScaling {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("rope type '" + type + "' is not supported (supported: " + TYPES + ")");
        }
        if (!(factor > 0)) {
            throw new IllegalArgumentException("rope scaling factor must be positive, got " + factor);
        }
        if ("llama3".equals(type) && !(highFreqFactor > lowFreqFactor && lowFreqFactor > 0 && originalMaxPositions > 0)) {
            throw new IllegalArgumentException("llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor and a"
                    + " positive original_max_position_embeddings, got " + lowFreqFactor + ", " + highFreqFactor + ", "
                    + originalMaxPositions);
        }
    }

    /**
     * The inverse frequencies of one head ({@code headDim / 2} of them), in float arithmetic as torch computes them
     * (the engine's results are compared with transformers' to 1e-3 in log-probability).
     */
    public float[] inverseFrequencies(double theta, int headDim) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < half; i++) {
                    inv[i] = (float) (inv[i] / factor);
                }
            }
            case "llama3" -> {
                float old = originalMaxPositions;
                float lowWavelen = (float) (old / lowFreqFactor);
                float highWavelen = (float) (old / highFreqFactor);
                for (int i = 0; i < half; i++) {
                    float wavelen = (float) (2 * Math.PI / inv[i]);
                    float scaled = wavelen > lowWavelen ? (float) (inv[i] / factor) : inv[i];
                    if (wavelen >= highWavelen && wavelen <= lowWavelen) {
                        float smooth = (float) ((old / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
                        scaled = (float) ((1 - smooth) * scaled / factor + smooth * scaled);
                    }
                    inv[i] = scaled;
                }
            }
            default -> {
            }
        }
        return inv;
    }

    /**
     * Reads the scaling of a config.json: {@code rope_parameters} (transformers 5) or {@code rope_scaling}, the type
     * under {@code rope_type} or the older {@code type}. A type the engine does not implement, a
     * {@code partial_rotary_factor} other than 1 or a missing parameter is refused with the field named.
     */
    static RopeScaling read(JsonNode config, Path file) throws ModelFormatException {
        String field = config.hasNonNull("rope_parameters") ? "rope_parameters" : "rope_scaling";
        JsonNode s = config.get(field);
        double partial = config.path("partial_rotary_factor").asDouble(s == null ? 1.0 : s.path("partial_rotary_factor").asDouble(1.0));
        if (partial != 1.0) {
            throw ModelFormatException.of(file, null, "partial_rotary_factor " + partial + " is not supported (only 1.0)");
        }
        if (s == null || s.isNull() || s.isObject() && s.isEmpty()) {
            return NONE;
        }
        if (!s.isObject()) {
            throw ModelFormatException.of(file, null, field + " must be an object, got " + s);
        }
        String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        String typeField = field + "." + (s.hasNonNull("rope_type") ? "rope_type" : "type");
        if (!TYPES.contains(type)) {
            throw ModelFormatException.of(file, null, typeField + " '" + type + "' is not supported (supported: "
                    + String.join(", ", TYPES.stream().sorted().toList()) + "); loading it as plain RoPE would be wrong");
        }
        if ("default".equals(type)) {
            return NONE;
        }
        if (s.hasNonNull("attention_factor") && s.get("attention_factor").asDouble() != 1.0) {
            throw ModelFormatException.of(file, null, field + ".attention_factor " + s.get("attention_factor")
                    + " is not supported with rope type " + type);
        }
        double factor = number(s, "factor", field, file);
        try {
            if ("linear".equals(type)) {
                return new RopeScaling(type, factor, 0, 0, 0);
            }
            int original = s.hasNonNull("original_max_position_embeddings")
                    ? s.get("original_max_position_embeddings").asInt()
                    : config.path("max_position_embeddings").asInt(0);
            return new RopeScaling(type, factor, number(s, "low_freq_factor", field, file),
                    number(s, "high_freq_factor", field, file), original);
        } catch (IllegalArgumentException e) {
            throw ModelFormatException.of(file, null, field + ": " + e.getMessage());
        }
    }

    private static double number(JsonNode s, String name, String field, Path file) throws ModelFormatException {
        JsonNode n = s.get(name);
        if (n == null || !n.isNumber()) {
            throw ModelFormatException.of(file, null, field + "." + name + " is missing or not a number");
        }
        return n.asDouble();
    }

    /** Writes this scaling as config.json's rope_scaling (nothing for the default). */
    void write(ObjectNode config) {
        if ("default".equals(type)) {
            return;
        }
        ObjectNode s = config.putObject("rope_scaling");
        s.put("rope_type", type);
        s.put("factor", factor);
        if ("llama3".equals(type)) {
            s.put("low_freq_factor", lowFreqFactor);
            s.put("high_freq_factor", highFreqFactor);
            s.put("original_max_position_embeddings", originalMaxPositions);
        }
    }
}
