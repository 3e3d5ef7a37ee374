package dev.penwright.jetty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.http.ApiKeys;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request that Jetty refuses before any servlet runs (a malformed request line or header, a path
 * above the root, a header too large): the API's error shape, {@code {"error": {"code", "message", "type",
 * "requestId"}}}, instead of Jetty's HTML page. Jetty's own message goes to the log under the request id; the body
 * keeps it only when it is a plain phrase, so that no path or class name reaches the client. Where the server needs
 * API keys, a request without a valid one is answered 401 instead of 400, as the API's filter answers it on every
 * route: an odd spelling tells a client without a key nothing more. Jetty hands over a request it refused while
 * building it (a path above the root, a bad escape, a malformed header line) without its headers, so whether it
 * carries a key is unknown: it is answered 401, key or not, saying it could not be read.
 */
final class JsonErrorHandler extends ErrorHandler {
    static final String REQUEST_ID = "X-Request-Id";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JsonErrorHandler.class);
    /** Jetty's fixed reasons ("Bad URI", "Ambiguous URI empty segment", "Illegal character …") fit; paths do not. */
    private static final Pattern PLAIN_PHRASE = Pattern.compile("[A-Za-z0-9 ,.'()_-]{1,120}");

    /** What a request Jetty refused before reading its headers is told where keys are needed, key or not. */
    static final String UNREAD = "the request could not be read as sent (a path above the root, a malformed escape or "
            + "header): it is refused, and a client without a valid API key is told no more";

    private final ObjectMapper json = new ObjectMapper();
    private final Supplier<ApiKeys> keys;

    JsonErrorHandler(Supplier<ApiKeys> keys) {
        this.keys = keys;
    }

    /** The key rule in force, or null when the server bundle does not run. */
    private ApiKeys keysRequired() {
        ApiKeys k = keys.get();
        return k != null && k.required() ? k : null;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
            Callback callback) throws IOException {
        String requestId = response.getHeaders().get(REQUEST_ID);
        if (requestId == null) {
            requestId = newRequestId();
            response.getHeaders().put(REQUEST_ID, requestId);
        }
        log(requestId, status, message, cause);
        ApiKeys rule = status == 400 ? keysRequired() : null;
        // A request refused while Jetty built it (a path above the root) reaches here without its headers: whether
        // it carries a key is unknown, so it is answered as one without.
        HttpFields headers = request.getHeaders();
        boolean unread = headers.size() == 0;
        if (rule != null && (unread
                || !rule.accepts(headers.get("X-API-Key"), headers.get(HttpHeader.AUTHORIZATION)))) {
            status = 401;
            message = unread ? UNREAD : null;
            response.setStatus(401);
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"penwright\"");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(status, message, requestId)), callback);
    }

    /** The body of an answer Jetty writes straight from its parser, where there is no request to hand on. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String requestId = newRequestId();
        log(requestId, status, reason, null);

        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(REQUEST_ID, requestId);
        return ByteBuffer.wrap(body(status, reason, requestId));
    }

    byte[] body(int status, String message, String requestId) {
        Map<String, Object> error = new LinkedHashMap<>();
        String code = status >= 500 ? "internal_error" : status == 401 ? "unauthorized" : "http_" + status;
        error.put("code", code);
        error.put("message", status == 401 ? (UNREAD.equals(message) ? UNREAD : ApiKeys.HINT) : message(status, message));
        error.put("type", code);
        error.put("requestId", requestId);
        try {
            return json.writeValueAsBytes(Map.of("error", error));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    static String message(int status, String detail) {
        String reason = HttpStatus.getMessage(status);
        if (status >= 500) {
            return "internal error; the server's log has the detail under this request's id";
        }
        if (detail == null || detail.equals(reason) || !PLAIN_PHRASE.matcher(detail).matches()) {
            return reason;
        }
        return reason + ": " + detail;
    }

    private static void log(String requestId, int status, String message, Throwable cause) {
        String line = "request " + requestId + " answered " + status + " by Jetty: " + message;
        if (status >= 500) {
            LOG.warn(line, cause);
        } else {
            LOG.debug(line, cause);
        }
    }

    /** The same form as the API's ids: 63 random bits in hex. */
    private static String newRequestId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
