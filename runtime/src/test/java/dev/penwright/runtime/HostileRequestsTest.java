package dev.penwright.runtime;

import static dev.penwright.runtime.ApiRoutesTest.assertError;
import static dev.penwright.runtime.ServerProcess.errorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unfriendly or unlucky client does: malformed requests on every route, hostile uploads, more requests than
 * the queue holds, and clients that hang up mid-stream. The server answers each with a JSON 4xx (or 429) and stays
 * healthy; nothing hostile reaches the deploy folder.
 */
class HostileRequestsTest {
    static final String BASE = "tiny";
    static final int MAX_REQUEST = 4096;
    static final int MAX_UPLOAD = 200_000;
    static final int MAX_UNPACKED = 1_000_000;

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, BASE);
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1", Map.of(
                "dev.penwright.engine.styler", "defaultModel = " + BASE + "\n",
                "dev.penwright.pipeline", "maxConcurrent = 1\nmaxQueued = 1\ntimeoutSeconds = 60\n",
                "dev.penwright.server", "maxRequestBytes = " + MAX_REQUEST + "\nmaxUploadBytes = " + MAX_UPLOAD
                        + "\nmaxTokens = 4000\n",
                "dev.penwright.stylepacks", "maxInflatedBytes = " + MAX_UNPACKED + "\nmaxEntries = 50\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void stillHealthy() throws Exception {
        assertTrue(server.alive());
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    void aBarrageOfMalformedRequestsGetsJsonClientErrors() throws Exception {
        Random random = new Random(42);
        List<byte[]> bodies = new ArrayList<>();
        for (String s : List.of("", "null", "true", "\"text\"", "[]", "{", "{\"a\":", "}{", "{\"material\": }",
                "{\"material\": null}", "{\"style\": 1, \"material\": \"x\"}", "{\"options\": []}",
                "{\"options\": {\"maxNewTokens\": 1e400}}", "{\"options\": {\"maxNewTokens\": -1}, \"material\": \"x\"}",
                "{\"options\": {\"topP\": 7}, \"material\": \"x\"}", "{\"model\": {\"$ne\": 1}}",
                "{\"model\": \"tiny\", \"messages\": \"hi\"}", "{\"model\": \"tiny\", \"messages\": [1]}",
                "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": {\"a\": 1}}]}",
                "{\"items\": {}}", "{\"items\": [1]}", "{\"kind\": null, \"id\": null}", "{\"material\": \"\u0000\", \"options\": {\"maxNewTokens\": 2}}",
                "{\"plan\": {\"keyFacts\": [1, 2]}}", "{\"plan\": \"x\", \"material\": \"y\"}",
                "[".repeat(50_000), "{\"a\":".repeat(2_000), "{\"material\": \"" + "x".repeat(MAX_REQUEST) + "\"}")) {
            bodies.add(s.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        for (int i = 0; i < 10; i++) {
            byte[] noise = new byte[1 + random.nextInt(3000)];
            random.nextBytes(noise);
            bodies.add(noise);
        }
        int requests = 0;
        for (String route : List.of("/v1/generate", "/v1/plan", "/v1/evaluate", "/v1/chat/completions",
                "/v1/completions", "/v1/train")) {
            for (byte[] body : bodies) {
                HttpResponse<String> r;
                try {
                    r = server.send(HttpRequest.newBuilder(server.uri(route))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
                } catch (java.io.IOException e) {
                    throw new AssertionError(route + " <- " + new String(body, 0, Math.min(80, body.length),
                        StandardCharsets.UTF_8) + " (" + body.length + " bytes): " + e, e);
                }
                requests++;
                boolean fine;
                if (r.statusCode() == 200) {
                    // Some bodies are valid for some routes (options a planner ignores): a real JSON answer then.
                    fine = ServerProcess.json(r).isObject() && !ServerProcess.json(r).has("error");
                } else {
                    String code = errorCode(r);
                    fine = (r.statusCode() >= 400 && r.statusCode() < 500)
                            || (r.statusCode() == 503 && code.equals("no_trainer"));
                }
                assertTrue(fine, route + " <- " + new String(body, 0, Math.min(80, body.length),
                        StandardCharsets.UTF_8) + " gave " + r.statusCode() + " " + r.body());
            }
        }
        // Bodies over the limit are refused by size, whether announced or streamed without a length.
        assertError(413, "payload_too_large", server.post("/v1/generate", "{\"material\":\"" + "y".repeat(5000) + "\"}"));
        byte[] big = ("{\"material\":\"" + "z".repeat(10_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertError(413, "payload_too_large", server.send(HttpRequest.newBuilder(server.uri("/v1/plan"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))));
        // Garbage that is not even HTTP.
        for (String raw : List.of("GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n",
                "POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
            String answer = rawExchange(raw);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4") || answer.startsWith("HTTP/1.1 505"), answer);
        }
        System.out.printf("[measure] %d malformed requests: JSON 4xx errors (or a JSON answer where valid)%n",
                requests);
    }

    @Test
    void hostileUploadsNeverReachTheDeployFolder() throws Exception {
        Path styleDir = PackFixtures.writeStyleFolder(work.resolve("hostile-src"), "hostile", "Hostile", BASE);
        Map<String, byte[]> style = new LinkedHashMap<>();
        try (var files = Files.list(styleDir)) {
            for (Path f : files.sorted().toList()) {
                style.put("style/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, byte[]> uploads = new LinkedHashMap<>();
        Map<String, byte[]> slip = new LinkedHashMap<>(style);
        slip.put("style/../../zip-slip-evil.txt", "pwned".getBytes());
        uploads.put("zip slip", jar("hostile", slip));
        expected.put("zip slip", "422 invalid_style_pack path traversal");
        Map<String, byte[]> absolute = new LinkedHashMap<>(style);
        absolute.put("/tmp/absolute-evil.txt", "pwned".getBytes());
        uploads.put("absolute", jar("hostile", absolute));
        expected.put("absolute", "422 invalid_style_pack absolute");
        Map<String, byte[]> bomb = new LinkedHashMap<>(style);
        bomb.put("style/padding.bin", new byte[MAX_UNPACKED + 1]);
        uploads.put("zip bomb", jar("hostile", bomb));
        expected.put("zip bomb", "422 invalid_style_pack zip bomb");
        Map<String, byte[]> many = new LinkedHashMap<>(style);
        for (int i = 0; i < 60; i++) {
            many.put("style/extra-" + i + ".txt", new byte[] {1});
        }
        uploads.put("too many entries", jar("hostile", many));
        expected.put("too many entries", "422 invalid_style_pack entries");
        byte[] noise = new byte[MAX_UPLOAD + 10];
        new Random(1).nextBytes(noise);
        uploads.put("too large", noise);
        expected.put("too large", "413 payload_too_large exceeds");
        uploads.put("not a zip", "definitely not a zip".getBytes());
        expected.put("not a zip", "422 invalid_style_pack not a jar");
        uploads.put("empty", new byte[0]);
        expected.put("empty", "400 empty_upload empty");
        uploads.put("no manifest", zip(style));
        expected.put("no manifest", "422 invalid_style_pack MANIFEST");
        uploads.put("bad id", jar("../../etc", style));
        expected.put("bad id", "422 invalid_style_pack header");
        Map<String, byte[]> noStyleJson = new LinkedHashMap<>(style);
        noStyleJson.remove("style/style.json");
        uploads.put("missing style.json", jar("hostile", noStyleJson));
        expected.put("missing style.json", "422 invalid_style_pack missing style/style.json");
        uploads.put("header differs", jar("other", style));
        expected.put("header differs", "422 invalid_style_pack differs from");
        Path unknownBase = PackFixtures.writeStyleFolder(work.resolve("unknown-base"), "hostile", "H", "no-such-model");
        Map<String, byte[]> wrongBase = new LinkedHashMap<>(style);
        wrongBase.put("style/style.json", Files.readAllBytes(unknownBase.resolve("style.json")));
        uploads.put("unknown base", jar("hostile", wrongBase));
        expected.put("unknown base", "422 invalid_style_pack unknown base model");

        for (Map.Entry<String, byte[]> upload : uploads.entrySet()) {
            HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                    .header("Content-Type", "application/java-archive")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload.getValue())));
            String[] want = expected.get(upload.getKey()).split(" ", 3);
            assertEquals(Integer.parseInt(want[0]), r.statusCode(), upload.getKey() + ": " + r.body());
            assertEquals(want[1], errorCode(r), upload.getKey());
            String message = ServerProcess.json(r).path("error").path("message").asText();
            assertTrue(message.contains(want[2]), upload.getKey() + ": " + message);
            System.out.printf("[measure] upload %-18s -> %d %s%n", upload.getKey(), r.statusCode(), message);
        }
        try (var files = Files.list(server.deploy)) {
            assertEquals(List.of(), files.toList(), "nothing may reach deploy/");
        }
        assertFalse(Files.exists(Path.of("/tmp/absolute-evil.txt")));
        assertFalse(Files.exists(Path.of(System.getProperty("java.io.tmpdir"), "zip-slip-evil.txt")));
        assertTrue(server.get("/metrics").body().contains("penwright_style_pack_uploads_rejected_total "));
        // And a good one still goes in.
        HttpResponse<String> good = server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(jar("hostile", style))));
        assertEquals(201, good.statusCode(), good.body());
        assertEquals(200, server.send(HttpRequest.newBuilder(server.uri("/v1/styles/hostile")).DELETE()).statusCode());
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(server.http.sendAsync(HttpRequest.newBuilder(server.uri("/v1/generate"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"material\":\"queue test\",\"options\":{\"maxNewTokens\":300}}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int full = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertError(429, "queue_full", r);
                int retry = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retry >= 1, "Retry-After " + retry);
                full++;
            }
        }
        System.out.printf("[measure] 12 concurrent requests, 1 slot + 1 queued: %d served, %d refused with 429%n",
                ok, full);
        assertTrue(ok >= 2, "served " + ok);
        assertTrue(full >= 1, "none refused");
    }

    @Test
    void aClientThatHangsUpMidStreamFreesItsSlot() throws Exception {
        // /health is up before Declarative Services has activated every component; on a loaded machine the
        // pipeline can follow seconds later, and this test times a request, so it waits for it first.
        long pipelineDeadline = System.nanoTime() + 60_000_000_000L;
        HttpResponse<String> whole;
        long t0;
        do {
            t0 = System.nanoTime();
            whole = server.post("/v1/generate",
                    "{\"material\":\"time a long text\",\"options\":{\"maxNewTokens\":1500}}");
            if (whole.statusCode() == 503 && whole.body().contains("no_pipeline")) {
                Thread.sleep(250);
            }
        } while (whole.statusCode() == 503 && whole.body().contains("no_pipeline") && System.nanoTime() < pipelineDeadline);
        assertEquals(200, whole.statusCode(), whole.body());
        long fullMillis = (System.nanoTime() - t0) / 1_000_000;

        String body = "{\"material\":\"a long text\",\"stream\":true,\"options\":{\"maxNewTokens\":1500}}";
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("event: token")) {
                // Headers and preamble.
            }
            assertTrue(line != null, "no token event");
        }
        long hungUp = System.nanoTime();
        long deadline = hungUp + 30_000_000_000L;
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = server.get("/metrics").body();
            if (metrics.contains("penwright_queue_running 0")
                    && metrics.contains("penwright_generations_total{style=\"(base)\",outcome=\"cancelled\"} 1")) {
                break;
            }
            Thread.sleep(20);
        }
        long freedMillis = (System.nanoTime() - hungUp) / 1_000_000;
        System.out.printf("[measure] slot freed %d ms after the client hung up (a whole 1500-token request: %d ms)%n",
                freedMillis, fullMillis);
        assertTrue(metrics.contains("penwright_queue_running 0"), metrics);
        assertTrue(metrics.contains("outcome=\"cancelled\"} 1"), metrics);
        assertTrue(freedMillis < Math.max(1000, fullMillis / 2), "freed after " + freedMillis + " ms");
    }

    private static String rawExchange(String raw) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] head = socket.getInputStream().readNBytes(12);
            return new String(head, StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException | java.net.SocketTimeoutException closed) {
            return "";
        }
    }

    static byte[] jar(String styleId, Map<String, byte[]> entries) throws Exception {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "penwright.stylepack." + styleId.replaceAll("[^a-z0-9.]", "x"));
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Penwright-StylePack", styleId);
        main.putValue("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=penwright.stylepack)"
                + "(version>=1.0)(!(version>=2.0)))\"");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            write(out, entries);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            write(out, entries);
        }
        return bytes.toByteArray();
    }

    private static void write(ZipOutputStream out, Map<String, byte[]> entries) throws Exception {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            out.putNextEntry(new ZipEntry(e.getKey()));
            out.write(e.getValue());
            out.closeEntry();
        }
    }
}
