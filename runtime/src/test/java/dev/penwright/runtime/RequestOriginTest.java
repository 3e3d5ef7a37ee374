package dev.penwright.runtime;

import static dev.penwright.runtime.ApiRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loopback runtime driven by what a hostile web page or a careless client can send: training on server paths
 * outside the configured roots (by absolute path, dot segments and symlinks), form-like content types, foreign
 * Origins and rebound Host names. Each is a 4xx that names the rule, no job is started, no folder is created and no
 * file content is echoed; the runtime's own clients (loopback names, same origin, JSON) still pass.
 */
class RequestOriginTest {
    static final String BASE = "tiny";

    @TempDir
    static Path work;
    static ServerProcess server;
    static Path secret;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, BASE);
        secret = work.resolve("secret.jsonl");
        Files.writeString(secret, "{\"id\":\"s\",\"text\":\"TOP-SECRET-LINE\"}\n");
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = " + BASE + "\n"));
        Path corpora = Files.createDirectories(server.home.resolve("corpora"));
        Files.writeString(corpora.resolve("house.jsonl"), "{\"id\":\"1\",\"text\":\"A house text.\"}\n");
        Files.createSymbolicLink(corpora.resolve("link.jsonl"), secret);
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.createDirectories(server.home.resolve("work"));
        Files.createSymbolicLink(server.home.resolve("work/escape"), outside);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void trainingReadsOnlyCorpusRootsAndWritesOnlyTheWorkFolder() throws Exception {
        String okCorpus = "\"corpus\":\"house.jsonl\"";
        String[][] refused = {
            {"{\"id\":\"x\",\"corpus\":\"/etc/passwd\"}", "corpus roots"},
            {"{\"id\":\"x\",\"corpus\":\"" + secret + "\"}", "corpus roots"},
            {"{\"id\":\"x\",\"corpus\":\"../../secret.jsonl\"}", "corpus roots"},
            {"{\"id\":\"x\",\"corpus\":\"../home/corpora/../../secret.jsonl\"}", "corpus roots"},
            {"{\"id\":\"x\",\"corpus\":\"link.jsonl\"}", "corpus roots"},
            {"{\"id\":\"x\"," + okCorpus + ",\"options\":{\"preference\":\"/etc/passwd\"}}", "corpus roots"},
            {"{\"id\":\"x\"," + okCorpus + ",\"options\":{\"corpora\":\"house.jsonl,/etc/hosts\"}}", "corpus roots"},
            {"{\"id\":\"x\"," + okCorpus + ",\"outputDir\":\"" + work.resolve("evil-out") + "\"}", "work folder"},
            {"{\"id\":\"x\"," + okCorpus + ",\"outputDir\":\"../evil-out\"}", "work folder"},
            {"{\"id\":\"x\"," + okCorpus + ",\"outputDir\":\"escape/evil-out\"}", "work folder"},
            {"{\"id\":\"x\"," + okCorpus + ",\"baseModel\":\"/etc\"}", "base model"},
            {"{\"id\":\"x\"," + okCorpus + ",\"options\":{\"init\":\"/tmp\"}}", "base model"},
        };
        for (String[] request : refused) {
            HttpResponse<String> r = server.post("/v1/train", request[0]);
            assertError(400, "invalid_request", r);
            assertTrue(r.body().contains(request[1]), request[0] + " -> " + r.body());
            assertFalse(r.body().contains("TOP-SECRET") || r.body().contains("root:"), r.body());
            assertFalse(r.body().contains(work.toString()), "absolute path in " + r.body());
        }
        assertFalse(Files.exists(work.resolve("evil-out")));
        assertFalse(Files.exists(work.resolve("outside/evil-out")));
        HttpResponse<String> jobs = server.get("/v1/jobs");
        if (jobs.statusCode() == 200) {
            assertEquals(0, ServerProcess.json(jobs).path("jobs").size(), jobs.body());
        }
        // Inside the roots the path rules let the request through to the trainer (the base model named by its id, as
        // the command line takes it), which refuses the unknown option before any job exists: nothing trains here.
        HttpResponse<String> inside = server.post("/v1/train", "{\"id\":\"x\"," + okCorpus
                + ",\"baseModel\":\"" + BASE + "\",\"outputDir\":\"runs/x\",\"options\":{\"noSuchOption\":\"1\"}}");
        assertError(400, "invalid_request", inside);
        assertTrue(inside.body().contains("unknown training option 'noSuchOption'"), inside.body());
        assertEquals(0, ServerProcess.json(server.get("/v1/jobs")).path("jobs").size());
        assertFalse(Files.exists(server.home.resolve("work/runs/x")));
    }

    @Test
    void trainingRequestsNameWhatIsWrong() throws Exception {
        HttpResponse<String> empty = server.post("/v1/train", "{}");
        assertError(400, "invalid_request", empty);
        assertTrue(empty.body().contains("\\\"id\\\" is required"), empty.body());
        HttpResponse<String> misspelt = server.post("/v1/train", "{\"id\":\"x\",\"corpus\":\"house.jsonl\","
                + "\"baseModel\":\"" + BASE + "\",\"epochs\":3,\"outDir\":\"runs/y\"}");
        assertError(400, "unknown_field", misspelt);
        assertTrue(misspelt.body().contains("\\\"epochs\\\", \\\"outDir\\\""), misspelt.body());
        HttpResponse<String> badOptions = server.post("/v1/train", "{\"id\":\"x\",\"corpus\":\"house.jsonl\","
                + "\"baseModel\":\"" + BASE + "\",\"options\":{\"epochs\":\"3\",\"steps\":\"1\",\"learningRate\":\"1\"}}");
        assertError(400, "invalid_request", badOptions);
        assertTrue(badOptions.body().contains("unknown training options 'epochs', 'learningRate'"), badOptions.body());
        assertEquals(0, ServerProcess.json(server.get("/v1/jobs")).path("jobs").size());
    }

    @Test
    void stateChangingRoutesTakeJsonFromTheirOwnOriginOnly() throws Exception {
        String own = "http://127.0.0.1:" + server.port;
        String body = "{\"material\":\"A daemon runs in the background.\"}";
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            assertError(415, "unsupported_media_type", fresh(HttpRequest.newBuilder(server.uri("/v1/plan"))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body))));
        }
        assertError(415, "unsupported_media_type", fresh(HttpRequest.newBuilder(server.uri("/v1/train"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"corpus\":\"house.jsonl\"}"))));
        assertError(415, "unsupported_media_type", fresh(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("PK"))));
        for (String origin : new String[] {"https://evil.example", "null", "http://127.0.0.1:1", "http://localhost.evil"}) {
            assertError(403, "origin_not_allowed", fresh(HttpRequest.newBuilder(server.uri("/v1/plan"))
                    .header("Content-Type", "application/json").header("Origin", origin)
                    .POST(HttpRequest.BodyPublishers.ofString(body))));
            assertError(403, "origin_not_allowed", fresh(HttpRequest.newBuilder(server.uri("/v1/styles/any"))
                    .header("Origin", origin).DELETE()));
        }
        HttpResponse<String> same = fresh(HttpRequest.newBuilder(server.uri("/v1/plan"))
                .header("Content-Type", "application/json").header("Origin", own)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, same.statusCode(), same.body());
        // Reading stays open to any origin's request (the answer is not shared without CORS headers anyway).
        assertEquals(200, fresh(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Origin", "https://evil.example").GET()).statusCode());
    }

    @Test
    void aLoopbackRuntimeAnswersOnlyLoopbackHostNames() throws Exception {
        for (String host : new String[] {"evil.example", "evil.example:" + server.port, "127.0.0.1.nip.io",
                "localhost.evil.example", "10.0.0.1"}) {
            String answer = raw("GET /v1/styles HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals("421", answer.substring(9, 12), host + " -> " + answer);
            assertTrue(answer.contains("host_not_allowed"), answer);
        }
        for (String host : new String[] {"localhost", "localhost:" + server.port, "127.0.0.1:" + server.port,
                "[::1]:" + server.port, "LOCALHOST"}) {
            String answer = raw("GET /v1/styles HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals("200", answer.substring(9, 12), host + " -> " + answer);
        }
        String post = "{\"material\":\"x\"}";
        String answer = raw("POST /v1/plan HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + post.length() + "\r\nConnection: close\r\n\r\n" + post);
        assertNotEquals("200", answer.substring(9, 12), answer);
    }

    @Test
    void metricsLabelOnlyDeployedStylesAndHoldNoControlCharacters() throws Exception {
        for (int i = 0; i < 20; i++) {
            server.post("/v1/generate", "{\"style\":\"made-up-" + i + "\\r\\n\\u0001evil\",\"material\":\"x\","
                    + "\"options\":{\"maxNewTokens\":1}}");
        }
        String metrics = server.get("/metrics").body();
        assertFalse(metrics.contains("made-up"), metrics);
        assertTrue(metrics.contains("penwright_generations_total{style=\"unknown\""), metrics);
        assertTrue(metrics.chars().noneMatch(c -> c < 0x20 && c != '\n'), "control characters in /metrics");
        // Errors carry a request id and name no class or server path.
        HttpResponse<String> error = server.post("/v1/generate", "{\"style\":\"nope\",\"material\":\"x\"}");
        assertTrue(error.statusCode() >= 400, error.body());
        assertEquals(error.headers().firstValue("X-Request-Id").orElse("none"),
                ServerProcess.json(error).path("error").path("requestId").asText(), error.body());
        assertFalse(error.body().contains(work.toString()) || error.body().contains("Exception"), error.body());
    }

    private static String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ServerProcess.assertNoServerPath(answer, request.lines().findFirst().orElse(""));
            return answer;
        }
    }

    /**
     * One request on a connection of its own: a refused request ends its connection, and a pooled connection the
     * server has just closed would fail the next request on it for a reason the test is not about.
     */
    private static HttpResponse<String> fresh(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(2)).build()
                .send(request.timeout(java.time.Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        ServerProcess.assertNoServerPath(response.body(), response.request().uri().getPath());
        return response;
    }
}
