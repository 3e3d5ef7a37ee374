package dev.penwright.server;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The checks that keep a web page the user happens to visit from driving a local runtime (CSRF and DNS rebinding),
 * as Jupyter and the Docker daemon guard theirs:
 * <ul>
 * <li>a loopback-bound server answers only requests whose {@code Host} is a loopback name (localhost, 127.0.0.1,
 * [::1], with any port) or a configured one: a rebound name such as {@code evil.example} pointing at 127.0.0.1 is
 * refused before any route runs;</li>
 * <li>a state-changing request (POST, PUT, PATCH, DELETE) that carries an {@code Origin} must come from the server's
 * own origin (same host and port as its {@code Host}) or a configured one; {@code Origin: null} (sandboxed frames,
 * some redirects) is foreign;</li>
 * <li>a body-carrying request must declare {@code application/json} (or, for a pack upload, a jar type or a multipart
 * form): an HTML form can only send {@code text/plain}, form-urlencoded or multipart without a CORS preflight, and
 * this server grants no preflight; the multipart upload rests on the Origin check. A DELETE carries no body; a
 * browser cannot send one cross-site without a preflight either, and the
 * Origin check covers it.</li>
 * </ul>
 * Each check answers with the refusal (status, code, message) or empty.
 */
final class RequestGuard {
    /** The error a refused request gets. */
    record Refusal(int status, String code, String message) {
    }

    /**
     * A pack upload may also come as a form's file part ({@code curl -F file=@pack.jar}). A browser sends a form from
     * another site with that site's {@code Origin}, which {@link #origin} refuses.
     */
    static final String MULTIPART = "multipart/form-data";
    static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");
    /** Content types a pack upload may declare. */
    static final Set<String> JAR_TYPES = Set.of("application/java-archive", "application/x-java-archive",
            "application/octet-stream", "application/zip");

    private RequestGuard() {
    }

    static Optional<Refusal> host(String hostHeader, ServerSettings.Access access) {
        if (!access.loopbackOnly()) {
            return Optional.empty();
        }
        String name = hostName(hostHeader);
        if (name != null && (LOOPBACK_NAMES.contains(name) || access.allowedHosts().contains(name))) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(421, "host_not_allowed", "this server is bound to loopback and answers only"
                + " to the Host names localhost, 127.0.0.1 and [::1] (add others with allowedHosts in etc/"
                + ServerConfig.PID + ".cfg)"));
    }

    static Optional<Refusal> origin(String method, String origin, String hostHeader, ServerSettings.Access access) {
        if (!changesState(method) || origin == null) {
            // Clients that are not browsers (curl, SDKs) send no Origin; browsers always send it on these methods.
            return Optional.empty();
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (access.allowedOrigins().contains(o) || sameOrigin(o, hostHeader)) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(403, "origin_not_allowed", "state-changing requests from a browser must come"
                + " from this server's own origin (add others with allowedOrigins in etc/" + ServerConfig.PID
                + ".cfg)"));
    }

    /**
     * @param jarUpload whether the route takes a pack jar as its body ({@code POST /v1/styles})
     */
    static Optional<Refusal> contentType(String method, String contentType, boolean jarUpload) {
        if (!carriesBody(method)) {
            return Optional.empty();
        }
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (jarUpload ? JAR_TYPES.contains(type) || type.equals(MULTIPART) : type.equals("application/json")) {
            return Optional.empty();
        }
        String wanted = jarUpload ? "the pack jar as application/java-archive (or as the file part of "
                + MULTIPART + ")" : "application/json";
        return Optional.of(new Refusal(415, "unsupported_media_type", method + " requests here must send " + wanted
                + (type.isEmpty() ? " (no Content-Type was given)" : ", not " + printable(type))));
    }

    static boolean changesState(String method) {
        return carriesBody(method) || method.equals("DELETE");
    }

    private static boolean carriesBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /** The host name of a Host header, lower case, without the port; IPv6 literals keep their brackets. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** Whether {@code origin} (scheme://host[:port]) names the host and port the request was sent to. */
    static boolean sameOrigin(String origin, String hostHeader) {
        if (hostHeader == null || origin.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return false;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            String host = hostHeader.trim().toLowerCase(Locale.ROOT);
            String expected = uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
            String given = host.matches(".*:\\d+$") ? host : host + ":" + port;
            return expected.equals(given);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
