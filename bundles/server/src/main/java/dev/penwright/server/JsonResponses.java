package dev.penwright.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.serve.AdapterServing;
import jakarta.servlet.http.HttpServletResponse;

/** JSON bodies and the API's error shape, {@code {"error": {"code", "message"}}}. */
final class JsonResponses {
    /** The header (set by {@link ApiFilter} on every answer) that error bodies repeat as {@code requestId}. */
    static final String REQUEST_ID = "X-Request-Id";
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private JsonResponses() {
    }

    static void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), body);
    }

    static void error(HttpServletResponse response, int status, String code, String message) throws IOException {
        Map<String, Object> body = errorBody(code, withoutPaths(message));
        String requestId = response.getHeader(REQUEST_ID);
        if (requestId != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> error = (Map<String, Object>) body.get("error");
            error.put("requestId", requestId);
        }
        write(response, status, body);
    }

    /** An absolute path (or file URI) of two segments or more; the answer keeps only its last segment. */
    private static final java.util.regex.Pattern ABSOLUTE_PATH =
            java.util.regex.Pattern.compile("(?:file:)?(?<![\\w.])(?:/[^/\\s:'\"(),]+)+/([^/\\s:'\"(),]+)");

    /**
     * A message with every absolute server path cut to its file name: messages from other bundles (the engine's
     * "cannot load ... /tmp/.../adapter_model.safetensors") must not tell a client where the runtime keeps its files.
     */
    static String withoutPaths(String message) {
        return message == null ? null : ABSOLUTE_PATH.matcher(message).replaceAll("$1");
    }

    /** The error body; {@code type} is there too so that OpenAI clients, which read it, show something sensible. */
    static Map<String, Object> errorBody(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message == null ? code : message);
        error.put("type", code);
        return Map.of("error", error);
    }

    static void error(HttpServletResponse response, ApiError e) throws IOException {
        if (e.retryAfterSeconds > 0) {
            response.setHeader("Retry-After", Integer.toString(e.retryAfterSeconds));
        }
        error(response, e.status, e.code, e.getMessage());
    }

    /** The HTTP face of a pipeline refusal. */
    static ApiError of(GenerationException e) {
        int status = switch (e.code()) {
            case GenerationException.QUEUE_FULL -> 429;
            case GenerationException.NO_STYLER, GenerationException.UNAVAILABLE -> 503;
            case GenerationException.STYLE_NOT_FOUND, GenerationException.PLANNER_NOT_FOUND -> 404;
            case GenerationException.PLANNING_FAILED -> 422;
            case GenerationException.TIMEOUT -> 504;
            case GenerationException.INVALID_REQUEST, AdapterServing.ADAPTER_EXISTS -> 400;
            case GenerationException.BACKEND_FAILED -> 502;
            case AdapterServing.ADAPTER_NOT_FOUND -> 404;
            case AdapterServing.PATH_NOT_ALLOWED -> 403;
            default -> 500;
        };
        return new ApiError(status, e.code(), e.getMessage(), e.retryAfterSeconds());
    }
}
