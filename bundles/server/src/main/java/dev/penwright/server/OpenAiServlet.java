package dev.penwright.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.plan.Material;
import dev.penwright.api.serve.AdapterServing;
import dev.penwright.api.serve.LoadedAdapter;
import dev.penwright.api.style.StylePackRegistry;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions} and {@code POST /v1/completions}. {@code model} names a style
 * (or a base model, for no adapter); the user's text is the material, planned by the default planner and written in
 * that style. Streaming follows OpenAI's chunks and ends with {@code data: [DONE]}; usage counts the small model's
 * prompt and output tokens. When {@code model} names an adapter loaded through {@code /v1/load_lora_adapter},
 * {@code /v1/completions} continues the prompt as it is, as vLLM does: that is how another node renders here.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/chat/completions", "/v1/completions"})
public final class OpenAiServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServerSettings settings;
    private final transient Metrics metrics;
    private final transient ModelCatalog models;
    private final transient StylePackRegistry styles;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile GenerationService generation;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile AdapterServing serving;

    @Activate
    public OpenAiServlet(@Reference ServerSettings settings, @Reference Metrics metrics,
                         @Reference ModelCatalog models, @Reference StylePackRegistry styles) {
        this.settings = settings;
        this.metrics = metrics;
        this.models = models;
        this.styles = styles;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        boolean chat = request.getServletPath().equals("/v1/chat/completions");
        ServerSettings.Limits limits = settings.limits();
        JsonNode body = readJson(request, limits.maxRequestBytes());
        String model = Requests.text(body, "model", null);
        if (model == null || model.isBlank()) {
            throw ApiError.badRequest("\"model\" is required: a style id or a base model id (GET /v1/models)");
        }
        AdapterServing adapters = serving;
        // A runtime-loaded adapter (vLLM's load API) takes a ready prompt, as vLLM does; styles take material.
        Optional<LoadedAdapter> adapter = chat || adapters == null ? Optional.empty() : adapters.find(model);
        String styleId = adapter.isPresent() ? "" : styleFor(model);
        Material material = adapter.isPresent() ? null
                : chat ? chatMaterial(body) : new Material("", List.of(), prompt(body), "");
        Integer n = Requests.integer(body, "n");
        if (n != null && n != 1) {
            throw new ApiError(400, "unsupported_parameter", "only n=1 is supported; use best_of in /v1/generate");
        }
        Integer max = Requests.integer(body, chat && body.has("max_completion_tokens") ? "max_completion_tokens"
                : "max_tokens");
        Requests.checkMax(max, limits.maxTokens());
        // Copy-aware decoding as extra body fields in OpenAI's snake case (the Python client's extra_body).
        GenerationOptions options = Requests.copyAware(new GenerationOptions(max, Requests.number(body, "temperature"),
                Requests.integer(body, "top_k"), Requests.number(body, "top_p"),
                Requests.number(body, "repetition_penalty"), Requests.longValue(body, "seed"),
                body.has("stop") && !body.get("stop").isNull() ? Requests.texts(body, "stop") : null), body,
                "copy_bias", "fact_guard", "min_coverage");
        boolean stream = Requests.bool(body, "stream");
        JsonNode streamOptions = Requests.object(body, "stream_options");
        boolean includeUsage = streamOptions != null && Requests.bool(streamOptions, "include_usage");
        Generations.Started started;
        if (adapter.isPresent()) {
            started = Generations.startCompletion(adapters, adapter.get(), prompt(body), options, stream);
        } else {
            GenerationRequest generate = new GenerationRequest(styleId, material, null, "", options, 1);
            started = Generations.start(GenerateServlet.require(generation), generate, stream);
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (started.immediateFailure() != null || !stream) {
            GenerationResult result = started.await(metrics);
            JsonResponses.write(response, 200, chat ? chatCompletion(id, created, model, result)
                    : completion(id, created, model, result));
            return;
        }
        GenerateServlet.Sse sse = GenerateServlet.Sse.open(response);
        try {
            if (chat) {
                sse.event(null, chunk(id, created, model, Map.of("role", "assistant", "content", ""), null));
            }
            GenerationResult result = started.stream(new Generations.Sink() {
                public void text(String piece) throws IOException {
                    sse.event(null, chat ? chunk(id, created, model, Map.of("content", piece), null)
                            : textChunk(id, created, model, piece, null));
                }

                public void heartbeat() throws IOException {
                    sse.comment("keep-alive");
                }
            }, metrics);
            String finish = finishReason(result);
            sse.event(null, chat ? chunk(id, created, model, Map.of(), finish)
                    : textChunk(id, created, model, "", finish));
            if (includeUsage) {
                Map<String, Object> usage = new LinkedHashMap<>(base(id, chat ? "chat.completion.chunk"
                        : "text_completion", created, model));
                usage.put("choices", List.of());
                usage.put("usage", usage(result));
                sse.event(null, usage);
            }
            sse.data("[DONE]");
        } catch (IOException | InterruptedException gone) {
            // The client left; its generation was cancelled.
        } catch (Exception e) {
            ApiError error = toApiError(e);
            sse.event(null, JsonResponses.errorBody(error.code, error.getMessage()));
            sse.data("[DONE]");
        }
    }

    private String styleFor(String model) {
        if (styles.find(model).isPresent()) {
            return model;
        }
        if (models.find(model).isPresent()) {
            return "";
        }
        throw new ApiError(404, "model_not_found", "the model '" + model + "' does not exist: name an active style"
                + " or a base model (GET /v1/models)");
    }

    /** The last user message is the brief; earlier user messages are material to restate. System text is ignored. */
    static Material chatMaterial(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("\"messages\" must be a non-empty array");
        }
        List<String> user = new ArrayList<>();
        for (JsonNode m : messages) {
            if (!m.isObject()) {
                throw ApiError.badRequest("each message must be an object {role, content}");
            }
            String role = Requests.text(m, "role", null);
            if (role == null) {
                throw ApiError.badRequest("each message needs a \"role\"");
            }
            if (role.equals("user")) {
                user.add(content(m.get("content")));
            }
        }
        if (user.isEmpty() || user.get(user.size() - 1).isBlank()) {
            throw ApiError.badRequest("no user message with text to write from");
        }
        String brief = user.remove(user.size() - 1);
        return new Material(brief, List.of(), String.join("\n\n", user), "");
    }

    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isObject() && "text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    s.append(s.length() > 0 ? "\n" : "").append(part.get("text").asText());
                }
            }
            return s.toString();
        }
        throw ApiError.badRequest("message content must be a string or an array of parts");
    }

    private static String prompt(JsonNode body) {
        JsonNode p = body.get("prompt");
        if (p != null && p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            p = p.get(0);
        }
        if (p == null || !p.isTextual() || p.asText().isBlank()) {
            throw ApiError.badRequest("\"prompt\" must be a non-empty string");
        }
        return p.asText();
    }

    private static Map<String, Object> base(String id, String object, long created, String model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", object);
        m.put("created", created);
        m.put("model", model);
        m.put("system_fingerprint", null);
        return m;
    }

    static Map<String, Object> chatCompletion(String id, long created, String model, GenerationResult r) {
        Map<String, Object> m = base(id, "chat.completion", created, model);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", Map.of("role", "assistant", "content", r.text()));
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason(r));
        m.put("choices", List.of(choice));
        m.put("usage", usage(r));
        m.put("penwright", Map.of("styleRef", r.styleRef(), "plan", r.plan(), "scores", r.scores()));
        return m;
    }

    static Map<String, Object> completion(String id, long created, String model, GenerationResult r) {
        Map<String, Object> m = base(id, "text_completion", created, model);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("text", r.text());
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason(r));
        m.put("choices", List.of(choice));
        m.put("usage", usage(r));
        return m;
    }

    private static Map<String, Object> chunk(String id, long created, String model, Map<String, Object> delta,
                                             String finish) {
        Map<String, Object> m = base(id, "chat.completion.chunk", created, model);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", finish);
        m.put("choices", List.of(choice));
        return m;
    }

    private static Map<String, Object> textChunk(String id, long created, String model, String text, String finish) {
        Map<String, Object> m = base(id, "text_completion", created, model);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("text", text);
        choice.put("logprobs", null);
        choice.put("finish_reason", finish);
        m.put("choices", List.of(choice));
        return m;
    }

    private static Map<String, Object> usage(GenerationResult r) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.generatedTokens());
        u.put("total_tokens", r.promptTokens() + r.generatedTokens());
        return u;
    }

    /** OpenAI's words: "length" when the token limit cut the text, "stop" otherwise. */
    static String finishReason(GenerationResult r) {
        return "length".equals(r.finishReason()) ? "length" : "stop";
    }
}
