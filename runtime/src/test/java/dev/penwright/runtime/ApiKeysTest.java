package dev.penwright.runtime;

import static dev.penwright.runtime.ApiRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bound beyond loopback, the server refuses every route but /health until API keys are configured, then accepts
 * only those keys; a key added to etc/ applies live.
 */
class ApiKeysTest {
    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")),
                Files.createDirectories(work.resolve("models")), "0.0.0.0", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void keysAreRequiredOffLoopbackAndApplyLive() throws Exception {
        assertEquals(200, server.get("/health").statusCode());
        for (String path : new String[] {"/v1/styles", "/v1/models", "/metrics", "/v1/jobs", "/nope"}) {
            assertError(401, "api_keys_not_configured", server.get(path));
        }
        assertError(401, "api_keys_not_configured", server.post("/v1/generate", "{\"material\":\"x\"}"));

        Path cfg = server.home.resolve("etc/dev.penwright.server.cfg");
        Files.writeString(cfg.resolveSibling(".server.tmp"), "apiKeys = first-key, second-key\n");
        Files.move(cfg.resolveSibling(".server.tmp"), cfg);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && server.get("/v1/styles").body().contains("api_keys_not_configured")) {
            Thread.sleep(50);
        }
        assertError(401, "unauthorized", server.get("/v1/styles"));
        assertEquals(200, with("Authorization", "Bearer first-key", "/v1/styles").statusCode());
        assertEquals(200, with("X-API-Key", "second-key", "/v1/models").statusCode());
        assertError(401, "unauthorized", with("Authorization", "Bearer first-ke", "/v1/styles"));
        assertError(401, "unauthorized", with("Authorization", "Basic Zmlyc3Qta2V5", "/v1/styles"));
        assertError(404, "not_found", with("X-API-Key", "first-key", "/nope"));
        assertEquals(200, server.get("/health").statusCode());

        // The open routes (/health, /web/) cannot be used to reach another: every encoded or dot-segment variant of
        // every route answers 401 without a key. The container may refuse an ambiguous one (an encoded slash, a
        // segment above the root) with 400 before any servlet sees it; that is as safe, and is told apart.
        Map<String, Integer> seen = new java.util.TreeMap<>();
        for (String route : PROTECTED) {
            for (String variant : variants(route)) {
                for (String method : new String[] {"GET", "POST", "DELETE"}) {
                    String answer = rawExchange(method, variant, null);
                    int status = status(answer);
                    // Another answer is allowed only from the web page itself (404 no such file, 405 not GET): the
                    // variant resolved to one of the page's own paths, not to the API.
                    boolean webPage = (status == 404 && answer.contains("the web page has no file"))
                            || (status == 405 && answer.contains("the web page answers GET only"));
                    seen.merge(status + (webPage ? " (web page)" : ""), 1, Integer::sum);
                    assertTrue(status == 401 || status == 400 || webPage,
                            method + " " + variant + " answered " + answer);
                }
            }
        }
        System.out.println("[measure] dot-segment and encoded variants without a key, by status: " + seen);
        // With a key the same variants reach their route (the key check does not just refuse everything odd).
        assertEquals(200, rawStatus("GET", "/web/../v1/styles", "first-key"));
        assertEquals(200, rawStatus("GET", "/health/./../v1/models", "first-key"));
        assertEquals(401, rawStatus("GET", "/web/../v1/styles", null));
        assertEquals(200, rawStatus("GET", "/web/", null));
    }

    /** Every route behind the key (the /v1 API, its sub-paths, metrics). */
    static final String[] PROTECTED = {"/v1/styles", "/v1/styles/jargon", "/v1/generate", "/v1/plan", "/v1/evaluate",
        "/v1/train", "/v1/jobs", "/v1/jobs/x", "/v1/models", "/v1/chat/completions", "/v1/completions", "/metrics"};

    /** The ways a client can spell {@code route} so that its raw form starts with an open route or hides its name. */
    static java.util.List<String> variants(String route) {
        String tail = route.substring(1);
        String encodedFirst = "/%" + Integer.toHexString(tail.charAt(0)) + tail.substring(1);
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of(route, route + "/", encodedFirst,
                "/." + route, "//" + tail));
        for (String open : new String[] {"/web", "/web/", "/health"}) {
            String base = open.endsWith("/") ? open : open + "/";
            for (String up : new String[] {"..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "..;", "..;x", "./..", "%2e%2e;"}) {
                out.add(base + up + route);
                out.add(base + up + encodedFirst);
                out.add(base + up + "%2f" + tail);
            }
            out.add(base + "..%2f" + tail);
            out.add(base + "%2e%2e%2f" + tail);
            out.add(base + "..%5c" + tail);
            out.add(base + "../.." + route);
            out.add(base + "x/../.." + route);
        }
        out.add("/web/reports/../.." + route);
        out.add("/web/reports/%2e%2e/%2e%2e" + route);
        out.add("/web;x/.." + route);
        out.add("/web%2f..%2f" + tail);
        return out;
    }

    private static int rawStatus(String method, String target, String key) throws Exception {
        return status(rawExchange(method, target, key));
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    /** The request line exactly as given: an HTTP client would normalise the dot segments away. */
    private static String rawExchange(String method, String target, String key) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(10_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (key == null ? "" : "X-API-Key: " + key + "\r\n")
                    + (method.equals("GET") ? "" : "Content-Type: application/json\r\nContent-Length: 2\r\n")
                    + "\r\n" + (method.equals("GET") ? "" : "{}");
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> with(String header, String value, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header(header, value).GET());
    }
}
