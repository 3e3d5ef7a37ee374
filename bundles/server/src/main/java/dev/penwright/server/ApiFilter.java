package dev.penwright.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import dev.penwright.api.http.ApiKeys;
import dev.penwright.api.http.RequestAttributes;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;

/**
 * In front of every route: API keys (when the server is bound beyond loopback, or configured so), and the request
 * count and latency of each route for {@code /metrics}. {@code /health} stays open so that load balancers can probe.
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern("/*")
@HttpWhiteboardFilterAsyncSupported
public final class ApiFilter implements Filter {
    private final ServerSettings settings;
    private final Metrics metrics;

    @Activate
    public ApiFilter(@Reference ServerSettings settings, @Reference Metrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        long started = System.nanoTime();
        // Every answer carries an id; an error's body repeats it and the log has the detail under it.
        response.setHeader(JsonResponses.REQUEST_ID, Long.toHexString(java.util.concurrent.ThreadLocalRandom.current()
                .nextLong() & Long.MAX_VALUE));
        try {
            Optional<RequestGuard.Refusal> refusal = guard(request);
            if (refusal.isPresent()) {
                refuse(request, response, refusal.get().status(), refusal.get().code(), refusal.get().message());
                return;
            }
            ServerSettings.Limits limits = settings.limits();
            Object violation = request.getAttribute(RequestAttributes.URI_VIOLATION);
            // An ambiguous spelling is never open: whatever a proxy in front makes of it, it may name an API route.
            if (limits.keysRequired() && (violation != null || !open(request)) && !authorised(request, limits)) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"penwright\"");
                refuse(request, response, 401, limits.apiKeys().isEmpty() ? "api_keys_not_configured"
                        : "unauthorized", limits.apiKeys().isEmpty()
                        ? "this server is bound to " + settings.host() + " and needs API keys; set apiKeys in"
                                + " etc/" + ServerConfig.PID + ".cfg"
                        : ApiKeys.HINT);
                return;
            }
            // After the key check, so that no spelling tells a client without a key more than 401.
            if (violation != null) {
                refuse(request, response, 400, "ambiguous_uri", "the request path is spelled ambiguously ("
                        + violation + "): send it without encoded dots, slashes or backslashes, path parameters or"
                        + " empty segments");
                return;
            }
            chain.doFilter(request, response);
        } finally {
            metrics.request(route(request), request.getMethod(), response.getStatus(),
                    (System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Host (DNS rebinding), then, on state-changing requests, Origin (CSRF): see {@link RequestGuard}. The content
     * type is checked by each route ({@link ApiServlet}), which knows its methods and which of them take a jar.
     */
    private Optional<RequestGuard.Refusal> guard(HttpServletRequest request) {
        ServerSettings.Access access = settings.access();
        String host = request.getHeader("Host");
        String method = request.getMethod();
        Optional<RequestGuard.Refusal> refusal = RequestGuard.host(host, access);
        if (refusal.isEmpty()) {
            refusal = RequestGuard.origin(method, request.getHeader("Origin"), host, access);
        }
        return refusal;
    }

    /**
     * /health for probes; the web page and its benchmark reports, which hold no user data (its API calls carry the
     * key). Decided on what will serve the request, never on the raw request URI: the container has already decoded
     * it and resolved its dot segments ({@code /web/../v1/styles} is {@code /v1/styles}), and the servlet it matched
     * must be the open one as well.
     */
    static boolean open(HttpServletRequest request) {
        return plainSpelling(request.getRequestURI()) && openPath(servedPath(request))
                && openPattern(matchedPattern(request));
    }

    /**
     * Whether a raw request path is spelled plainly: no escapes, path parameters, backslashes, empty or dot
     * segments. Only such a spelling may be open, so that no container's or proxy's reading of an odd one can
     * turn an open path into a protected route.
     */
    static boolean plainSpelling(String rawPath) {
        if (rawPath == null || rawPath.indexOf('%') >= 0 || rawPath.indexOf(';') >= 0 || rawPath.indexOf('\\') >= 0
                || rawPath.contains("//")) {
            return false;
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    static boolean openPath(String path) {
        return path.equals("/health") || path.equals("/web") || path.startsWith("/web/");
    }

    /** The servlet patterns of the open routes; an unknown pattern (none matched) is not open. */
    static boolean openPattern(String pattern) {
        return pattern.equals("/health") || pattern.equals("/web") || pattern.equals("/web/*");
    }

    /** The decoded, normalised path within the context: servlet path plus path info, as the matched servlet sees it. */
    static String servedPath(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String info = request.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
    }

    /**
     * A refused request's answer; its connection ends with it. A small body is read and dropped first: a server that
     * answers and closes while the client is still sending resets the connection, and the client loses the answer
     * ("header parser received no bytes").
     */
    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String code,
            String message) throws IOException {
        drainSmallBody(request);
        response.setHeader("Connection", "close");
        JsonResponses.error(response, status, code, message);
    }

    /** Reads and drops a refused request's body when it is small (at most 1 MiB); a larger one is cut off. */
    private static void drainSmallBody(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length <= 0 || length > (1 << 20)) {
            return;
        }
        try {
            request.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            // The client went away: nothing to answer.
        }
    }

    static boolean authorised(HttpServletRequest request, ServerSettings.Limits limits) {
        return authorised(request.getHeader("X-API-Key"), request.getHeader("Authorization"), limits);
    }

    /** Whether the key headers ({@code X-API-Key}, else {@code Authorization: Bearer}) hold one of the keys. */
    static boolean authorised(String key, String auth, ServerSettings.Limits limits) {
        if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = auth.substring(7).trim();
        }
        if (key == null || key.isEmpty()) {
            return false;
        }
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String k : limits.apiKeys()) {
            // Constant-time comparison, so that response times do not leak how much of a key matched.
            ok |= MessageDigest.isEqual(given, k.getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    /** The servlet pattern that served the request: bounded, unlike raw paths. */
    private static String route(HttpServletRequest request) {
        String pattern = matchedPattern(request);
        return pattern.isEmpty() ? "other" : pattern;
    }

    private static String matchedPattern(HttpServletRequest request) {
        try {
            HttpServletMapping mapping = request.getHttpServletMapping();
            if (mapping != null && mapping.getPattern() != null) {
                return mapping.getPattern();
            }
        } catch (RuntimeException ignored) {
            // Some dispatch types have no mapping.
        }
        return "";
    }
}
