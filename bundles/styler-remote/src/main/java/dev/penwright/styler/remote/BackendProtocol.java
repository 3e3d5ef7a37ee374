package dev.penwright.styler.remote;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.Shot;
import dev.penwright.api.style.StyleDescriptor;

/**
 * What goes over the wire, with no I/O: the request bodies of vLLM's and OpenAI's {@code /v1/completions}, of
 * LoRAX's {@code /generate_stream} and of vLLM's load API, and the reading of their streamed events. Copy-aware
 * decoding options travel as extra fields in the servers' own snake case ({@code copy_bias}, {@code fact_guard},
 * {@code min_coverage}), which a Penwright backend applies and others ignore.
 */
public final class BackendProtocol {
    private BackendProtocol() {
    }

    /** The options a rendering of {@code style} sends: the request's over the pack's defaults over the engine's. */
    public static GenerationOptions options(StyleDescriptor style, GenerationOptions requested) {
        return (requested == null ? GenerationOptions.UNSET : requested)
                .over(style == null ? null : style.defaults()).over(GenerationOptions.DEFAULTS);
    }

    /** The prompt, made with the pack's template exactly as a local rendering makes it. */
    public static String prompt(StyleDescriptor style, ContentPlan plan, List<Shot> shots) {
        return PromptTemplate.of(style).render(plan, shots);
    }

    /** The request path of a rendering under this selection. */
    public static String renderPath(RemoteSettings.Selection selection) {
        return selection == RemoteSettings.Selection.ADAPTER_ID ? "/generate_stream" : "/v1/completions";
    }

    /**
     * A rendering's body.
     *
     * @param adapter       the adapter's name, LoRAX's adapter id, or null for the base model
     * @param localSource   whether LoRAX reads {@code adapter} as a folder ({@code adapter_source: local})
     * @param options       complete options (pack defaults applied)
     */
    public static Map<String, Object> renderBody(RemoteSettings.Selection selection, String baseModel, String adapter,
                                                 boolean localSource, String prompt, GenerationOptions options,
                                                 boolean stream) {
        if (selection == RemoteSettings.Selection.ADAPTER_ID) {
            return loraxBody(adapter, localSource, prompt, options, stream);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", adapter == null ? baseModel
                : selection == RemoteSettings.Selection.MODEL_PREFIX ? baseModel + ":" + adapter : adapter);
        body.put("prompt", prompt);
        body.put("max_tokens", options.maxNewTokens());
        body.put("temperature", options.temperature());
        putIf(body, "top_p", options.topP(), options.topP() != null && options.topP() < 1);
        // vLLM's extra sampling parameters; 0 and 1 mean "off" and are left out for servers that do not know them.
        putIf(body, "top_k", options.topK(), options.topK() != null && options.topK() > 0);
        putIf(body, "repetition_penalty", options.repetitionPenalty(),
                options.repetitionPenalty() != null && options.repetitionPenalty() != 1.0);
        putIf(body, "seed", options.seed(), options.seed() != null);
        putIf(body, "stop", options.stop(), options.stop() != null && !options.stop().isEmpty());
        copyAware(body, options);
        if (stream) {
            body.put("stream", true);
            body.put("stream_options", Map.of("include_usage", true));
        }
        return body;
    }

    /** LoRAX (and TGI): {@code {"inputs", "parameters": {…}}}; greedy is {@code do_sample: false}, no temperature. */
    private static Map<String, Object> loraxBody(String adapter, boolean localSource, String prompt,
                                                 GenerationOptions options, boolean stream) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        putIf(parameters, "adapter_id", adapter, adapter != null);
        putIf(parameters, "adapter_source", "local", adapter != null && localSource);
        parameters.put("max_new_tokens", options.maxNewTokens());
        boolean sample = !options.isGreedy();
        parameters.put("do_sample", sample);
        // LoRAX refuses temperature 0 and top_p 1: they are sent only when they sample.
        putIf(parameters, "temperature", options.temperature(), sample);
        putIf(parameters, "top_p", options.topP(), sample && options.topP() != null && options.topP() < 1);
        putIf(parameters, "top_k", options.topK(), sample && options.topK() != null && options.topK() > 0);
        putIf(parameters, "repetition_penalty", options.repetitionPenalty(),
                options.repetitionPenalty() != null && options.repetitionPenalty() != 1.0);
        putIf(parameters, "seed", options.seed(), sample && options.seed() != null);
        putIf(parameters, "stop", options.stop(), options.stop() != null && !options.stop().isEmpty());
        copyAware(parameters, options);
        parameters.put("details", stream);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("inputs", prompt);
        body.put("parameters", parameters);
        return body;
    }

    private static void copyAware(Map<String, Object> body, GenerationOptions options) {
        putIf(body, "copy_bias", options.copyBias(), options.copyBias() != null && options.copyBias() > 0);
        putIf(body, "fact_guard", true, Boolean.TRUE.equals(options.factGuard()));
        putIf(body, "min_coverage", options.minCoverage(), options.minCoverage() != null && options.minCoverage() > 0);
    }

    /** vLLM's {@code POST /v1/load_lora_adapter} body. */
    public static Map<String, Object> loadBody(String name, String path) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lora_name", name);
        body.put("lora_path", path);
        return body;
    }

    /** vLLM's {@code POST /v1/unload_lora_adapter} body. */
    public static Map<String, Object> unloadBody(String name) {
        return Map.of("lora_name", name);
    }

    private static void putIf(Map<String, Object> body, String key, Object value, boolean condition) {
        if (condition) {
            body.put(key, value);
        }
    }

    /**
     * What one event (or a whole non-streamed answer) says.
     *
     * @param text         text to append, possibly empty
     * @param finishReason stop or length when this event ends the text, else null
     * @param promptTokens  the backend's prompt token count, or -1
     * @param completionTokens the backend's generated token count, or -1
     */
    public record Event(String text, String finishReason, int promptTokens, int completionTokens) {
    }

    /**
     * Reads one JSON event of an OpenAI completion stream or a LoRAX stream, or a non-streamed answer of either.
     *
     * @throws IllegalArgumentException when it is neither (a message that can be shown)
     */
    public static Event read(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode error = event.get("error");
        if (error != null && !error.isNull()) {
            String message = error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
            throw new BackendError(message);
        }
        if (event.has("choices")) {
            JsonNode choices = event.get("choices");
            int prompt = event.path("usage").path("prompt_tokens").asInt(-1);
            int completion = event.path("usage").path("completion_tokens").asInt(-1);
            if (!choices.isArray()) {
                throw new IllegalArgumentException("\"choices\" is not an array");
            }
            if (choices.isEmpty()) {
                return new Event("", null, prompt, completion);
            }
            JsonNode choice = choices.get(0);
            JsonNode text = choice.has("text") ? choice.get("text") : choice.path("message").get("content");
            if (text != null && !text.isNull() && !text.isTextual()) {
                throw new IllegalArgumentException("a choice's text is not a string");
            }
            return new Event(text == null || text.isNull() ? "" : text.asText(),
                    finish(choice.path("finish_reason")), prompt, completion);
        }
        if (event.has("token") || event.has("generated_text")) {
            JsonNode token = event.path("token");
            String text = token.path("special").asBoolean(false) ? "" : token.path("text").asText("");
            JsonNode details = event.path("details");
            boolean last = event.hasNonNull("generated_text");
            if (!event.has("token") && last) {
                text = event.get("generated_text").asText(); // a non-streamed answer
            }
            String finish = last ? finish(details.path("finish_reason")) : null;
            return new Event(text, last && finish == null ? "stop" : finish, -1,
                    details.path("generated_tokens").asInt(-1));
        }
        throw new IllegalArgumentException("neither an OpenAI completion nor a LoRAX generation");
    }

    /** OpenAI's finish reasons from any server's: length, or stop for every other end. */
    private static String finish(JsonNode reason) {
        if (reason == null || reason.isNull() || reason.isMissingNode() || reason.asText().isEmpty()) {
            return null;
        }
        return reason.asText().equals("length") ? "length" : "stop";
    }

    /** An error the backend reported inside its answer. */
    public static final class BackendError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BackendError(String message) {
            super(message);
        }
    }

    /** The message of an error answer's body, whatever server wrote it; the body's start when it is not JSON. */
    public static String errorMessage(String body, com.fasterxml.jackson.databind.ObjectMapper json) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode error = node.path("error");
            if (error.isTextual()) {
                return error.asText();
            }
            for (JsonNode m : List.of(error.path("message"), node.path("message"), node.path("detail"))) {
                if (m.isTextual()) {
                    return m.asText();
                }
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // Fall through to the raw text.
        }
        String text = body == null ? "" : body.strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
