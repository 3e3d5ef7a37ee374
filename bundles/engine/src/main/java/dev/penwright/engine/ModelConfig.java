package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The part of a Hugging Face {@code config.json} that the decoder needs. Llama, Mistral and Qwen2 share one shape:
 * RMSNorm, rotary embeddings, SwiGLU, grouped-query attention; Qwen2 adds biases to q, k and v.
 *
 * @param architecture        model_type: llama, mistral or qwen2
 * @param vocabSize           rows of the embedding
 * @param hiddenSize          d
 * @param intermediateSize    width of the SwiGLU
 * @param numLayers           decoder layers
 * @param numHeads            query heads
 * @param numKvHeads          key/value heads (GQA when fewer than query heads)
 * @param headDim             width of one head
 * @param ropeTheta           rotary base
 * @param rmsNormEps          RMSNorm epsilon
 * @param maxPositions        max_position_embeddings: the longest sequence the model accepts
 * @param tieWordEmbeddings   the output head reuses the embedding
 * @param attentionBias       q/k/v projections carry biases
 * @param bosTokenId          or -1
 * @param eosTokenIds         end-of-sequence ids (config allows one or a list)
 * @param ropeScaling         how the rotary frequencies are scaled (llama3, linear or none)
 * @param slidingWindow       keys a query of a windowed layer sees, itself included (0: no window)
 * @param slidingLayers       the layers that attend through the window (Mistral: all; Qwen2: from max_window_layers)
 */
public record ModelConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, double ropeTheta, double rmsNormEps,
                          int maxPositions, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
                          List<Integer> eosTokenIds, RopeScaling ropeScaling, int slidingWindow,
                          List<Integer> slidingLayers) {
    public static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2");
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        ropeScaling = ropeScaling == null ? RopeScaling.NONE : ropeScaling;
        slidingLayers = slidingWindow > 0 ? List.copyOf(new java.util.TreeSet<>(slidingLayers)) : List.of();
        for (int l : slidingLayers) {
            if (l < 0 || l >= numLayers) {
                throw new IllegalArgumentException("sliding-window layer " + l + " does not exist (" + numLayers + " layers)");
            }
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
    }

    /** A config without rope scaling or sliding window (Llama 2 style, Qwen2 without use_sliding_window). */
    public ModelConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                       int numHeads, int numKvHeads, int headDim, double ropeTheta, double rmsNormEps,
                       int maxPositions, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
                       List<Integer> eosTokenIds) {
        this(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, ropeTheta,
                rmsNormEps, maxPositions, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds, RopeScaling.NONE, 0,
                List.of());
    }

    /** This config with another rope scaling and sliding window (tests and benchmarks write such checkpoints). */
    public ModelConfig with(RopeScaling scaling, int window, List<Integer> windowedLayers) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, ropeTheta, rmsNormEps, maxPositions, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds,
                scaling, window, windowedLayers);
    }

    public boolean slidingLayer(int layer) {
        return slidingWindow > 0 && slidingLayers.contains(layer);
    }

    public int queryWidth() {
        return numHeads * headDim;
    }

    public int kvWidth() {
        return numKvHeads * headDim;
    }

    /** Parameters, counted from the shapes this config implies. */
    public long parameterCount() {
        long d = hiddenSize;
        long perLayer = d * queryWidth() + 2L * d * kvWidth() + (long) queryWidth() * d + 3L * d * intermediateSize + 2 * d
                + (attentionBias ? queryWidth() + 2L * kvWidth() : 0);
        return numLayers * perLayer + (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2) + d;
    }

    public static ModelConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw ModelFormatException.of(configJson, null, "no such file");
        }
        JsonNode c;
        try {
            c = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw ModelFormatException.of(configJson, null, "not valid JSON: " + e.getMessage());
        }
        String type = c.path("model_type").asText("");
        if (!ARCHITECTURES.contains(type)) {
            throw ModelFormatException.of(configJson, null, "unknown architecture model_type='" + type
                    + "' (architectures " + c.path("architectures") + "); supported: llama, mistral, qwen2");
        }
        RopeScaling scaling = RopeScaling.read(c, configJson);
        String act = c.path("hidden_act").asText("silu");
        if (!"silu".equals(act) && !"swish".equals(act)) {
            throw ModelFormatException.of(configJson, null, "hidden_act '" + act + "' is not supported (only silu)");
        }
        if (c.path("mlp_bias").asBoolean(false)) {
            throw ModelFormatException.of(configJson, null, "mlp_bias true is not supported");
        }
        int hidden = required(c, configJson, "hidden_size");
        int heads = required(c, configJson, "num_attention_heads");
        int kvHeads = c.path("num_key_value_heads").asInt(heads);
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        int layers = required(c, configJson, "num_hidden_layers");
        List<Integer> windowed = slidingLayers(c, type, layers, configJson);
        int window = windowed.isEmpty() ? 0 : c.get("sliding_window").asInt();
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e != null && !e.isNull()) {
            eos.add(e.asInt());
        }
        boolean bias = "qwen2".equals(type) || c.path("attention_bias").asBoolean(false);
        try {
            double theta = c.path("rope_parameters").path("rope_theta").asDouble(c.path("rope_theta").asDouble(10000.0));
            return new ModelConfig(type, required(c, configJson, "vocab_size"), hidden,
                    required(c, configJson, "intermediate_size"), layers, heads,
                    kvHeads, headDim, theta, c.path("rms_norm_eps").asDouble(1e-6),
                    c.path("max_position_embeddings").asInt(2048), c.path("tie_word_embeddings").asBoolean(false),
                    bias, c.path("bos_token_id").asInt(-1), eos, scaling, window, windowed);
        } catch (IllegalArgumentException ex) {
            throw ModelFormatException.of(configJson, null, ex.getMessage());
        }
    }

    /**
     * The layers that attend through {@code sliding_window}, as transformers decides: an explicit
     * {@code layer_types} list; otherwise Mistral windows every layer, Qwen2 (only with use_sliding_window) the layers
     * from max_window_layers on, Llama none (it ignores the field).
     */
    private static List<Integer> slidingLayers(JsonNode c, String type, int layers, Path file) throws ModelFormatException {
        JsonNode window = c.get("sliding_window");
        boolean hasWindow = window != null && !window.isNull();
        if (hasWindow && (!window.canConvertToInt() || window.asInt() <= 0)) {
            throw ModelFormatException.of(file, null, "sliding_window must be a positive integer or null, got " + window);
        }
        List<Integer> out = new ArrayList<>();
        JsonNode types = c.get("layer_types");
        if (types != null && types.isArray()) {
            if (types.size() != layers) {
                throw ModelFormatException.of(file, null, "layer_types has " + types.size() + " entries for " + layers + " layers");
            }
            for (int l = 0; l < layers; l++) {
                String t = types.get(l).asText();
                if ("sliding_attention".equals(t)) {
                    out.add(l);
                } else if (!"full_attention".equals(t)) {
                    throw ModelFormatException.of(file, null, "layer_types[" + l + "] '" + t + "' is not supported"
                            + " (only full_attention and sliding_attention)");
                }
            }
            if (!out.isEmpty() && !hasWindow) {
                throw ModelFormatException.of(file, null, "layer_types names sliding_attention layers but sliding_window is not set");
            }
            return out;
        }
        if (!hasWindow || "llama".equals(type)) {
            return out;
        }
        int first = 0;
        if ("qwen2".equals(type)) {
            if (!c.path("use_sliding_window").asBoolean(false)) {
                return out;
            }
            first = c.path("max_window_layers").asInt(28);
        }
        for (int l = first; l < layers; l++) {
            out.add(l);
        }
        return out;
    }

    private static int required(JsonNode c, Path file, String field) throws ModelFormatException {
        JsonNode n = c.get(field);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw ModelFormatException.of(file, null, "missing or invalid '" + field + "'");
        }
        return n.asInt();
    }

    /** A config.json that HF transformers reads back as this config. */
    public void write(Path configJson) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        String cls = switch (architecture) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default -> "LlamaForCausalLM";
        };
        c.putArray("architectures").add(cls);
        c.put("model_type", architecture);
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("intermediate_size", intermediateSize);
        c.put("num_hidden_layers", numLayers);
        c.put("num_attention_heads", numHeads);
        c.put("num_key_value_heads", numKvHeads);
        c.put("head_dim", headDim);
        c.put("rope_theta", ropeTheta);
        c.put("rms_norm_eps", rmsNormEps);
        c.put("max_position_embeddings", maxPositions);
        c.put("tie_word_embeddings", tieWordEmbeddings);
        c.put("hidden_act", "silu");
        if (!"qwen2".equals(architecture)) {
            c.put("attention_bias", attentionBias);
        }
        if (bosTokenId >= 0) {
            c.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            c.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            var a = c.putArray("eos_token_id");
            eosTokenIds.forEach(a::add);
        }
        ropeScaling.write(c);
        if (slidingWindow > 0) {
            c.put("sliding_window", slidingWindow);
            if ("qwen2".equals(architecture)) {
                c.put("use_sliding_window", true);
            }
            var types = c.putArray("layer_types");
            for (int l = 0; l < numLayers; l++) {
                types.add(slidingLayer(l) ? "sliding_attention" : "full_attention");
            }
        }
        c.put("torch_dtype", "float32");
        Files.createDirectories(configJson.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), c);
    }
}
