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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bound beyond loopback, the server refuses every route but /health until API keys are configured, then accepts
 * only those keys; a key added to etc/ applies live.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
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
        // a route answers 401 without a key, also what Jetty refuses before any route is chosen (a path above the
        // root), which a key holder is told is a bad request.
        Map<String, Integer> seen = new java.util.TreeMap<>();
        for (String route : PROTECTED) {
            for (String variant : variants(route)) {
                for (String method : new String[] {"GET", "POST", "DELETE"}) {
                    String answer = rawExchange(method, variant, null);
                    String code = jsonErrorCode(answer, method + " " + variant);
                    int status = status(answer);
                    seen.merge(status + " " + code, 1, Integer::sum);
                    assertEquals("401 unauthorized", status + " " + code, method + " " + variant + " answered "
                            + answer);
                }
            }
        }
        String aboveRoot = rawExchange("GET", "/web/../../v1/styles", "first-key");
        System.out.println("[measure] above the root with a key: " + aboveRoot.lines().findFirst().orElse(""));
        System.out.println("[measure] dot-segment and encoded variants without a key, by status and code: " + seen);
        // With a key the plain dot segments reach their route (the key check does not just refuse everything odd);
        // the ambiguous spellings are refused as such, after the key check.
        assertEquals(200, rawStatus("GET", "/web/../v1/styles", "first-key"));
        assertEquals(200, rawStatus("GET", "/health/./../v1/models", "first-key"));
        assertEquals(401, rawStatus("GET", "/web/../v1/styles", null));
        assertEquals(401, rawStatus("GET", "/web/%2e%2e/v1/styles", null));
        String ambiguous = rawExchange("GET", "/web/%2e%2e/v1/styles", "first-key");
        assertEquals("400 ambiguous_uri", status(ambiguous) + " " + jsonErrorCode(ambiguous, "ambiguous"));
        assertEquals(200, rawStatus("GET", "/web/", null));
    }

    /** After the keys are configured (the test before). */
    @Test
    @Order(2)
    void jettysOwnRefusalsAreJsonWithARequestId() throws Exception {
        // Refused by Jetty before any servlet: a path above the root, a malformed header line, a bad escape, an
        // encoded NUL. Jetty hands such a request over without its headers: where keys are needed it is answered as
        // keyless (401), key or not, saying that it could not be read; on loopback without keys it is a 400.
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("GET /web/../../v1/styles HTTP/1.1\r\nHost: 127.0.0.1\r\n", "401 unauthorized");
        expected.put("GET /v1/styles HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n", "401 unauthorized");
        expected.put("GET /v1/sty%zzles HTTP/1.1\r\nHost: 127.0.0.1\r\n", "401 unauthorized");
        expected.put("GET /v1/styles%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n", "401 unauthorized");
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        for (String request : expected.keySet()) {
            String answer = raw(request + "X-API-Key: first-key\r\nConnection: close\r\n\r\n");
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), answer);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            com.fasterxml.jackson.databind.JsonNode error = ServerProcess.JSON.readTree(body).path("error");
            assertTrue(error.path("requestId").asText().matches("[0-9a-f]+"), answer);
            assertTrue(answer.contains("X-Request-Id: " + error.path("requestId").asText()), answer);
            seen.put(request, status(answer) + " " + error.path("code").asText());
            assertTrue(error.path("message").asText().contains("could not be read"), answer);
        }
        assertEquals(expected, seen);
    }

    /** The error code of a raw answer, after checking that its body is the API's JSON error with a request id. */
    private static String jsonErrorCode(String answer, String what) throws Exception {
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        com.fasterxml.jackson.databind.JsonNode error;
        try {
            error = ServerProcess.JSON.readTree(body).path("error");
        } catch (java.io.IOException e) {
            throw new AssertionError(what + " answered no JSON: " + answer, e);
        }
        assertTrue(error.path("code").isTextual() && error.path("message").isTextual()
                && error.path("requestId").isTextual(), what + " answered " + answer);
        ServerProcess.assertNoServerPath(body, what);
        return error.path("code").asText();
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
        return raw(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (key == null ? "" : "X-API-Key: " + key + "\r\n")
                + (method.equals("GET") ? "" : "Content-Type: application/json\r\nContent-Length: 2\r\n")
                + "\r\n" + (method.equals("GET") ? "" : "{}"));
    }

    private static String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> with(String header, String value, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header(header, value).GET());
    }
}
