package dev.penwright.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A route of the API: methods it does not serve get a JSON 405 with {@code Allow}, failures a JSON error with the
 * right status, never an HTML page or a stack trace.
 */
abstract class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiServlet.class);

    /** The methods this route serves. */
    protected abstract Set<String> methods();

    protected abstract void handle(String method, HttpServletRequest request, HttpServletResponse response)
            throws Exception;

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        String allow = String.join(", ", methods().stream().sorted().toList()) + ", OPTIONS";
        if (method.equals("OPTIONS")) {
            response.setHeader("Allow", allow);
            response.setStatus(204);
            return;
        }
        if (!methods().contains(method)) {
            response.setHeader("Allow", allow);
            closeIfBodyUnread(request, response);
            JsonResponses.error(response, 405, "method_not_allowed",
                    method + " is not allowed on " + request.getRequestURI() + " (allowed: " + allow + ")");
            return;
        }
        Optional<RequestGuard.Refusal> refusal = RequestGuard.contentType(method, request.getContentType(),
                takesJar(method, request));
        if (refusal.isPresent()) {
            closeIfBodyUnread(request, response);
            JsonResponses.error(response, refusal.get().status(), refusal.get().code(), refusal.get().message());
            return;
        }
        try {
            handle(method, request, response);
        } catch (Throwable t) {
            fail(request, response, t);
        }
    }

    /**
     * A request refused before its body is read ends its connection: the server cannot always consume a body that is
     * still arriving, and a client that reused the connection would then get no answer to its next request.
     */
    private static void closeIfBodyUnread(HttpServletRequest request, HttpServletResponse response) {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (hasBody && !bodyFinished(request)) {
            response.setHeader("Connection", "close");
        }
    }

    private static boolean bodyFinished(HttpServletRequest request) {
        try {
            return request.getInputStream().isFinished();
        } catch (IOException | IllegalStateException e) {
            // Read as a reader, or unreadable: whether it was read to the end is unknown.
            return false;
        }
    }

    /** Whether this request's body is a pack jar rather than JSON (CSRF: no form can send either). */
    protected boolean takesJar(String method, HttpServletRequest request) {
        return false;
    }

    static void fail(HttpServletRequest request, HttpServletResponse response, Throwable t) throws IOException {
        ApiError error = toApiError(t);
        String requestId = response.getHeader(JsonResponses.REQUEST_ID);
        if (error.status >= 500) {
            // The detail goes to the log, under the id the answer carries; the answer names no class or path.
            LOG.warn("request " + requestId + " failed: " + error.code, t);
        }
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        if (requestId != null) {
            response.setHeader(JsonResponses.REQUEST_ID, requestId);
        }
        closeIfBodyUnread(request, response);
        JsonResponses.error(response, error);
    }

    static ApiError toApiError(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiError e) {
            return e;
        }
        if (t instanceof GenerationException g) {
            return JsonResponses.of(g);
        }
        if (t instanceof java.util.concurrent.CancellationException) {
            return new ApiError(499, "cancelled", "the request was cancelled");
        }
        return new ApiError(500, "internal_error", "internal error; the server's log has the detail under this"
                + " request's id");
    }

    /** The request's JSON object, read within the configured size limit. */
    static JsonNode readJson(HttpServletRequest request, long maxBytes) throws IOException {
        String type = request.getContentType();
        // The filter already refused other types (RequestGuard); this keeps the servlet strict on its own.
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
        }
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (body.length == 0) {
            throw new ApiError(400, "invalid_json", "the request body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            node = JsonResponses.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_json", "malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "invalid_json", "the body must be a JSON object");
        }
        return node;
    }

    static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "payload_too_large", "the request body exceeds " + maxBytes + " bytes");
    }

    /** The path after the servlet's pattern, without its leading slash, or empty. */
    static String tail(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path == null || path.equals("/") ? "" : path.substring(1);
    }
}
