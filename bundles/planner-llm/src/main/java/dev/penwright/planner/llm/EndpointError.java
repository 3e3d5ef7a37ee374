package dev.penwright.planner.llm;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;

/**
 * Why a call to the endpoint failed, in words a user can act on, and whether trying again may help: timeouts,
 * HTTP 408, 429 and 5xx and refused connections may pass; a rejected key (401/403), an unknown model (404) or a
 * request the endpoint refuses (400) will not.
 */
record EndpointError(String message, boolean retriable, int status) {

    static EndpointError of(RuntimeException e, PlannerSettings s) {
        String where = "endpoint " + s.baseUrl() + " (model " + s.model() + ")";
        Integer status = null;
        String body = "";
        boolean timeout = false;
        boolean unreachable = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException h && status == null) {
                status = h.statusCode();
                body = h.getMessage();
            }
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException
                    || t instanceof SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
                timeout = true;
            }
            if (t instanceof ConnectException || t instanceof UnresolvedAddressException) {
                unreachable = true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (status != null) {
            String detail = body == null || body.isBlank() ? "" : ": " + s.scrub(shorten(body));
            return switch (status) {
                case 401, 403 -> new EndpointError(where + " rejected the credentials (HTTP " + status
                        + "); check apiKey or apiKeyEnv" + detail, false, status);
                case 404 -> new EndpointError(where + " does not know the model or path (HTTP 404)" + detail,
                        false, status);
                case 408 -> new EndpointError(where + " timed out the request (HTTP 408)" + detail, true, status);
                case 429 -> new EndpointError(where + " is rate limiting (HTTP 429)" + detail, true, status);
                default -> status >= 500
                        ? new EndpointError(where + " failed (HTTP " + status + ")" + detail, true, status)
                        : new EndpointError(where + " refused the request (HTTP " + status + ")" + detail, false,
                                status);
            };
        }
        if (timeout) {
            return new EndpointError(where + " gave no answer within " + s.timeout().toSeconds() + " s", true, 0);
        }
        if (unreachable) {
            return new EndpointError("cannot reach " + where + ": " + s.scrub(String.valueOf(rootMessage(e))),
                    true, 0);
        }
        return new EndpointError(where + " call failed: " + s.scrub(e.getClass().getSimpleName() + ": "
                + rootMessage(e)), false, 0);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 300) + "…";
    }
}
