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
 */
public record ModelConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, double ropeTheta, double rmsNormEps,
                          int maxPositions, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
                          List<Integer> eosTokenIds) {
    public static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2");
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
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
        JsonNode scaling = c.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw ModelFormatException.of(configJson, null, "rope_scaling " + scaling + " is not supported");
        }
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
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e != null && !e.isNull()) {
            eos.add(e.asInt());
        }
        boolean bias = "qwen2".equals(type) || c.path("attention_bias").asBoolean(false);
        try {
            return new ModelConfig(type, required(c, configJson, "vocab_size"), hidden,
                    required(c, configJson, "intermediate_size"), required(c, configJson, "num_hidden_layers"), heads,
                    kvHeads, headDim, c.path("rope_theta").asDouble(10000.0), c.path("rms_norm_eps").asDouble(1e-6),
                    contextLength(c), c.path("tie_word_embeddings").asBoolean(false),
                    bias, c.path("bos_token_id").asInt(-1), eos);
        } catch (IllegalArgumentException ex) {
            throw ModelFormatException.of(configJson, null, ex.getMessage());
        }
    }

    /**
     * max_position_embeddings, or a smaller sliding_window when one applies (Mistral; Qwen2 only with
     * use_sliding_window): attention here is full, so it equals the windowed model only within the window.
     */
    private static int contextLength(JsonNode c) {
        int max = c.path("max_position_embeddings").asInt(2048);
        JsonNode window = c.get("sliding_window");
        boolean windowed = window != null && window.canConvertToInt() && window.asInt() > 0
                && c.path("use_sliding_window").asBoolean(true);
        return windowed ? Math.min(max, window.asInt()) : max;
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
        c.put("torch_dtype", "float32");
        Files.createDirectories(configJson.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), c);
    }
}
