package dev.penwright.runtime;

import static dev.penwright.runtime.ServerProcess.errorCode;
import static dev.penwright.runtime.ServerProcess.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the HTTP API against the launched runtime, with the real pipeline, planner, engine and evaluators
 * on a tiny random model: each success and each documented error.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiRoutesTest {
    static final String BASE = "tiny";
    static final String STYLE = "house";

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, BASE);
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = " + BASE + "\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Path packJar(String id, String version) throws Exception {
        Path dir = PackFixtures.writeStyleFolder(work.resolve("src-" + id + "-" + version), id, "House " + id, BASE);
        return PackFixtures.writePack(work.resolve(id + "-" + version + ".jar"), dir, id, version);
    }

    static HttpResponse<String> upload(Path jar) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(jar)));
    }

    @Test
    @Order(1)
    void uploadValidatesThenDeploysAndTheStyleIsListedEverywhere() throws Exception {
        HttpResponse<String> created = upload(packJar(STYLE, "1.0.0"));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("ACTIVE", json(created).path("entry").path("state").asText());
        assertEquals("house.jar", json(created).path("deployedTo").asText());
        assertTrue(Files.exists(server.deploy.resolve("house.jar")));

        JsonNode one = json(server.get("/v1/styles/" + STYLE));
        assertEquals(STYLE, one.path("style").path("id").asText());
        assertEquals("untrained test pack", one.path("report").path("note").asText());
        assertEquals(404, server.get("/v1/styles/nope").statusCode());
        assertEquals("style_not_found", errorCode(server.get("/v1/styles/nope")));

        JsonNode models = json(server.get("/v1/models"));
        assertEquals("list", models.path("object").asText());
        List<String> ids = new ArrayList<>();
        models.path("data").forEach(m -> ids.add(m.path("id").asText() + "<" + m.path("parent").asText("-")));
        assertEquals(List.of("tiny<-", "house<tiny"), ids);
        assertEquals(BASE, json(server.get("/v1/models/" + STYLE)).path("parent").asText());
        assertEquals("model_not_found", errorCode(server.get("/v1/models/nope")));
    }

    @Test
    @Order(2)
    void generateRunsPlanStyleEvaluateOnTheRealEngine() throws Exception {
        HttpResponse<String> r = server.post("/v1/generate", """
                {"style": "house", "material": {"brief": "the debian release", "facts": ["debian has many packages"]},
                 "options": {"maxNewTokens": 12, "temperature": 0.7, "seed": 3}}""");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode result = json(r);
        assertFalse(result.path("text").asText().isEmpty());
        assertEquals("house@1.0.0", result.path("styleRef").asText());
        assertEquals(BASE, result.path("modelId").asText());
        assertTrue(result.path("generatedTokens").asInt() > 0 && result.path("generatedTokens").asInt() <= 12);
        assertEquals("extractive", result.path("plan").path("plannerId").asText());
        assertTrue(result.path("timings").path("totalMillis").asLong() >= 0);
        assertTrue(result.path("promptTokens").asInt() > 0);
        // Same seed, same text: the request's options reach the sampler.
        assertEquals(result.path("text"), json(server.post("/v1/generate", """
                {"style": "house", "material": {"brief": "the debian release", "facts": ["debian has many packages"]},
                 "options": {"maxNewTokens": 12, "temperature": 0.7, "seed": 3}}""")).path("text"));

        JsonNode fromPlan = json(server.post("/v1/generate", """
                {"style": "house", "plan": {"title": "a plan", "keyFacts": ["one fact"]},
                 "options": {"maxNewTokens": 5}, "bestOf": 2}"""));
        assertEquals("client", fromPlan.path("plan").path("plannerId").asText());
        assertTrue(fromPlan.path("generatedTokens").asInt() <= 5);
        JsonNode base = json(server.post("/v1/generate", """
                {"material": "plain text for the base model", "options": {"maxNewTokens": 4}}"""));
        assertEquals("", base.path("styleRef").asText());
    }

    @Test
    @Order(3)
    void generateStreamsServerSentEvents() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = server.http.send(HttpRequest.newBuilder(
                server.uri("/v1/generate")).header("Content-Type", "application/json").POST(
                HttpRequest.BodyPublishers.ofString("""
                {"style": "house", "material": "stream this text", "options": {"maxNewTokens": 10}, "stream": true}"""))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        StringBuilder tokens = new StringBuilder();
        JsonNode result = null;
        String event = null;
        long lastTokenNanos = 0;
        long resultNanos = 0;
        for (String line : (Iterable<String>) r.body()::iterator) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                JsonNode data = ServerProcess.JSON.readTree(line.substring(6));
                if ("token".equals(event)) {
                    tokens.append(data.path("text").asText());
                    lastTokenNanos = System.nanoTime();
                } else if ("result".equals(event)) {
                    result = data;
                    resultNanos = System.nanoTime();
                }
            }
        }
        assertTrue(result != null, "no result event");
        assertEquals(result.path("text").asText(), tokens.toString());
        // The result follows the last token as soon as the evaluators are done: the streaming loop used to wait out
        // its one-second poll first, so this gap was never under a second.
        long gapMillis = (resultNanos - lastTokenNanos) / 1_000_000;
        long evaluateMillis = result.path("timings").path("evaluateMillis").asLong();
        System.out.println("[measure] SSE: result " + gapMillis + " ms after the last token (evaluation "
                + evaluateMillis + " ms)");
        assertTrue(gapMillis - evaluateMillis < 900, gapMillis + " ms from the last token to the result");
    }

    @Test
    @Order(4)
    void generateErrors() throws Exception {
        assertError(404, "style_not_found", server.post("/v1/generate", "{\"style\":\"nope\",\"material\":\"x\"}"));
        assertError(404, "planner_not_found",
                server.post("/v1/generate", "{\"material\":\"x\",\"planner\":\"no-such-planner\"}"));
        assertError(400, "invalid_request", server.post("/v1/generate", "{\"style\":\"house\"}"));
        assertError(400, "invalid_request", server.post("/v1/generate", "{\"material\":\"x\",\"bestOf\":0}"));
        assertError(400, "invalid_request", server.post("/v1/generate", "{\"material\":\"x\",\"bestOf\":50}"));
        assertError(400, "max_tokens_exceeded",
                server.post("/v1/generate", "{\"material\":\"x\",\"options\":{\"maxNewTokens\":100000}}"));
        assertError(400, "invalid_request",
                server.post("/v1/generate", "{\"material\":\"x\",\"options\":{\"temperature\":\"hot\"}}"));
        assertError(400, "invalid_request", server.post("/v1/generate", "{\"material\":42}"));
        // A misspelt field is named, never ignored (options.maxTokens generated the default length before).
        String[][] misspelt = {
            {"{\"material\":\"x\",\"options\":{\"maxTokens\":3}}", "\\\"options.maxTokens\\\""},
            {"{\"material\":\"x\",\"temprature\":0.5}", "\\\"temprature\\\""},
            {"{\"material\":{\"brief\":\"x\",\"fact\":[\"a\"]}}", "\\\"material.fact\\\""},
            {"{\"plan\":{\"title\":\"x\",\"keyfacts\":[\"a\"]}}", "\\\"plan.keyfacts\\\""},
        };
        for (String[] request : misspelt) {
            HttpResponse<String> r = server.post("/v1/generate", request[0]);
            assertError(400, "unknown_field", r);
            assertTrue(r.body().contains(request[1]), request[0] + " -> " + r.body());
        }
        HttpResponse<String> plan = server.post("/v1/plan", "{\"material\":\"x\",\"plannner\":\"extractive\"}");
        assertError(400, "unknown_field", plan);
        assertTrue(plan.body().contains("plannner"), plan.body());
        assertError(400, "invalid_json", server.post("/v1/generate", "{\"material\":"));
        assertError(400, "invalid_json", server.post("/v1/generate", "[1,2]"));
        assertError(400, "invalid_json", server.post("/v1/generate", ""));
        assertError(415, "unsupported_media_type", server.send(HttpRequest.newBuilder(server.uri("/v1/generate"))
                .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString("<a/>"))));
        HttpResponse<String> get = server.get("/v1/generate");
        assertError(405, "method_not_allowed", get);
        assertEquals("POST, OPTIONS", get.headers().firstValue("Allow").orElse(""));
    }

    @Test
    @Order(5)
    void planAndEvaluate() throws Exception {
        JsonNode plan = json(server.post("/v1/plan", """
                {"material": {"sourceArticle": "Debian 12 was released on 10 June 2023. It has 64419 packages."}}"""))
                .path("plan");
        assertTrue(plan.path("keyFacts").toString().contains("64419"), plan.toString());
        assertEquals("extractive", plan.path("plannerId").asText());
        assertTrue(json(server.get("/v1/plan")).path("planners").toString().contains("extractive"));
        assertError(404, "planner_not_found", server.post("/v1/plan", "{\"material\":\"x\",\"planner\":\"zz\"}"));
        assertError(400, "invalid_request", server.post("/v1/plan", "{\"material\":{\"brief\":\"\"}}"));
        assertError(405, "method_not_allowed", server.send(HttpRequest.newBuilder(server.uri("/v1/plan")).DELETE()));

        // A numbered list's order and a shell session travel with the plan, and a plan from /v1/plan goes back to
        // /v1/generate as is.
        JsonNode listed = json(server.post("/v1/plan", """
                {"material": "Reset it as follows.\\n\\n 1. Boot from the CD.\\n\\n 2. Clear the field.\\n\\n$ reboot\\n"}"""))
                .path("plan");
        assertEquals("[{\"after\":\"Clear the field.\",\"text\":\"$ reboot\"}]", listed.path("verbatimBlocks").toString());
        assertEquals("[{\"number\":1,\"text\":\"Boot from the CD.\"},{\"number\":2,\"text\":\"Clear the field.\"}]",
                listed.path("numberedItems").toString(), listed.toString());
        assertEquals(200, server.post("/v1/generate", "{\"style\": \"house\", \"plan\": " + listed
                + ", \"options\": {\"maxNewTokens\": 4}}").statusCode());
        assertError(400, "invalid_request", server.post("/v1/generate",
                "{\"plan\": {\"title\": \"x\", \"numberedItems\": [{\"number\": 0, \"text\": \"a\"}]}}"));
        assertError(400, "invalid_request", server.post("/v1/generate",
                "{\"plan\": {\"title\": \"x\", \"numberedItems\": [\"a\"]}}"));
        assertError(400, "invalid_request", server.post("/v1/generate",
                "{\"plan\": {\"title\": \"x\", \"verbatimBlocks\": [{\"after\": 1, \"text\": \"$ ls\"}]}}"));

        JsonNode eval = json(server.post("/v1/evaluate", """
                {"items": [{"id": "a", "hypothesis": "the cat sat on the mat", "reference": "the cat sat on the mat"},
                           {"id": "b", "hypothesis": "a dog ran", "reference": "the cat sat on the mat"}],
                 "evaluators": ["bleu4", "rougeL"]}""")).path("evaluations");
        assertEquals(100.0, eval.path("bleu4").path("items").get(0).path("scores").get(0).path("value").asDouble(),
                1e-9);
        assertEquals("a", eval.path("rougeL").path("items").get(0).path("id").asText());
        assertTrue(eval.path("rougeL").path("items").get(1).path("scores").get(0).path("value").asDouble() < 50);
        assertError(404, "evaluator_not_found",
                server.post("/v1/evaluate", "{\"items\":[{\"hypothesis\":\"x\"}],\"evaluators\":[\"zz\"]}"));
        assertError(400, "invalid_request", server.post("/v1/evaluate", "{\"items\":[]}"));
        assertError(400, "invalid_request", server.post("/v1/evaluate", "{\"items\":[{\"reference\":\"x\"}]}"));
    }

    /**
     * /v1/plan plans with the pipeline's configured default planner, read live, as /v1/generate does: not a constant
     * of its own.
     */
    @Test
    @Order(5)
    void planDefaultsToThePipelinesConfiguredPlanner() throws Exception {
        assertEquals("extractive", json(server.get("/v1/plan")).path("default").asText());
        Path cfg = server.home.resolve("etc/dev.penwright.pipeline.cfg");
        Files.writeString(cfg, "defaultPlanner = no-such-planner\n");
        try {
            awaitPlanDefault("no-such-planner");
            HttpResponse<String> missing = server.post("/v1/plan", "{\"material\":\"Debian 12 has 64419 packages.\"}");
            assertError(404, "planner_not_found", missing);
            assertTrue(missing.body().contains("no-such-planner"), missing.body());
        } finally {
            Files.delete(cfg);
        }
        awaitPlanDefault("extractive");
    }

    private static void awaitPlanDefault(String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String seen;
        do {
            seen = json(server.get("/v1/plan")).path("default").asText();
            if (seen.equals(expected)) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, seen, "GET /v1/plan default");
    }

    @Test
    @Order(6)
    void openAiRoutesOverRawHttp() throws Exception {
        JsonNode chat = json(server.post("/v1/chat/completions", """
                {"model": "house", "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": "write about the release"}], "max_tokens": 8}"""));
        assertEquals("chat.completion", chat.path("object").asText());
        assertEquals("assistant", chat.path("choices").get(0).path("message").path("role").asText());
        assertFalse(chat.path("choices").get(0).path("message").path("content").asText().isEmpty());
        JsonNode usage = chat.path("usage");
        assertTrue(usage.path("completion_tokens").asInt() > 0 && usage.path("completion_tokens").asInt() <= 8);
        assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(),
                usage.path("total_tokens").asInt());

        HttpResponse<String> stream = server.post("/v1/chat/completions", """
                {"model": "house", "messages": [{"role": "user", "content": "stream it"}], "max_tokens": 6,
                 "stream": true, "stream_options": {"include_usage": true}}""");
        List<String> data = new ArrayList<>();
        for (String line : stream.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        assertEquals("[DONE]", data.get(data.size() - 1));
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = ServerProcess.JSON.readTree(d);
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            if (chunk.path("choices").size() > 0) {
                text.append(chunk.path("choices").get(0).path("delta").path("content").asText(""));
            }
        }
        JsonNode last = ServerProcess.JSON.readTree(data.get(data.size() - 2));
        assertTrue(last.path("usage").path("completion_tokens").asInt() > 0, last.toString());
        assertFalse(text.isEmpty());

        JsonNode completion = json(server.post("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"the base model\",\"max_tokens\":4}"));
        assertEquals("text_completion", completion.path("object").asText());
        assertTrue(completion.path("choices").get(0).has("text"));

        assertError(404, "model_not_found", server.post("/v1/chat/completions",
                "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertError(400, "invalid_request", server.post("/v1/chat/completions", "{\"model\":\"house\"}"));
        assertError(400, "invalid_request", server.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertError(400, "unsupported_parameter", server.post("/v1/chat/completions",
                "{\"model\":\"house\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertError(400, "invalid_request", server.post("/v1/completions", "{\"model\":\"house\",\"prompt\":7}"));
        assertError(405, "method_not_allowed", server.get("/v1/chat/completions"));
    }

    @Test
    @Order(7)
    void trainingRoutesNameAMissingTrainerOrServeJobs() throws Exception {
        HttpResponse<String> jobs = server.get("/v1/jobs");
        if (jobs.statusCode() == 503) {
            assertEquals("no_trainer", errorCode(jobs));
            assertError(503, "no_trainer", server.get("/v1/jobs/abc"));
            Files.createDirectories(server.home.resolve("corpora"));
            Files.writeString(server.home.resolve("corpora/tiny.jsonl"), "{\"id\":\"1\",\"text\":\"a\"}\n");
            assertError(503, "no_trainer", server.post("/v1/train", "{\"id\":\"x\",\"corpus\":\"tiny.jsonl\"}"));
        } else {
            assertEquals(200, jobs.statusCode(), jobs.body());
            assertError(404, "job_not_found", server.get("/v1/jobs/no-such-job"));
        }
        assertError(400, "invalid_request", server.post("/v1/train", "{\"kind\":\"poem\",\"id\":\"x\"}"));
        assertError(400, "invalid_request", server.post("/v1/train", "{\"id\":\"../x\",\"corpus\":\"c\"}"));
        assertError(405, "method_not_allowed", server.get("/v1/train"));
        assertError(405, "method_not_allowed", server.post("/v1/jobs", "{}"));
    }

    @Test
    @Order(8)
    void metricsInPrometheusTextFormat() throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = r.body();
        for (String expected : List.of(
                "penwright_http_requests_total{route=\"/v1/generate\",method=\"POST\",status=\"200\"}",
                "penwright_http_requests_total{route=\"/v1/generate\",method=\"POST\",status=\"404\"}",
                "penwright_http_request_duration_seconds_bucket{route=\"/v1/generate\",le=\"+Inf\"}",
                "penwright_generations_total{style=\"house\",outcome=\"ok\"}",
                // A style id no pack has is no label of its own (a client could add series at will).
                "penwright_generations_total{style=\"unknown\",outcome=\"style_not_found\"}",
                "penwright_generation_duration_seconds_count{style=\"house\"}",
                "penwright_generated_tokens_total{style=\"house\"}",
                "penwright_generation_tokens_per_second ", "penwright_queue_running 0", "penwright_queue_waiting 0",
                "penwright_style_packs{state=\"active\"} 1", "penwright_style_packs{state=\"rejected\"} 0",
                // The one pack's adapter, loaded by the generations above.
                "penwright_adapters_loaded 1")) {
            assertTrue(text.contains(expected), "missing " + expected + " in\n" + text);
        }
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{[^}]*\\})? [0-9.e+-]+"), line);
        }
    }

    @Test
    @Order(9)
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        assertError(404, "not_found", server.get("/nope"));
        assertError(404, "not_found", server.post("/v1/nope", "{}"));
        assertError(404, "not_found", server.get("/v1"));
        HttpResponse<String> put = server.send(HttpRequest.newBuilder(server.uri("/health"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertError(405, "method_not_allowed", put);
        assertError(405, "method_not_allowed", server.send(HttpRequest.newBuilder(server.uri("/v1/styles/house"))
                .PUT(HttpRequest.BodyPublishers.ofString("x"))));
        assertError(405, "method_not_allowed", server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .DELETE()));
        assertError(405, "method_not_allowed", server.post("/metrics", "{}"));
        // What Jetty refuses before any route (a path above the root) is JSON too; on loopback without keys, a 400.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /web/../../v1/styles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("\"code\":\"http_400\""), answer);
        }
    }

    @Test
    @Order(10)
    void deleteRemovesThePackFromDeploy() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/v1/styles/house")).DELETE());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(r).path("removed").asBoolean());
        assertFalse(Files.exists(server.deploy.resolve("house.jar")));
        assertError(404, "style_not_found", server.get("/v1/styles/house"));
        assertError(404, "style_not_found",
                server.send(HttpRequest.newBuilder(server.uri("/v1/styles/house")).DELETE()));
        assertError(404, "model_not_found", server.post("/v1/chat/completions",
                "{\"model\":\"house\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    @Order(11)
    void multipartUploadsDeployTheFileAloneAndNothingInvalidReachesDeploy() throws Exception {
        // Its report names the corpus as older trainers did, by the absolute path on the training machine.
        Path dir = PackFixtures.writeStyleFolder(work.resolve("src-house-form"), "house-form", "House form", BASE);
        Files.writeString(dir.resolve("report.json"), "{\"data\":{\"corpus\":\"/work/train/corpora/house.jsonl\"}}");
        Path jar = PackFixtures.writePack(work.resolve("house-form.jar"), dir, "house-form", "1.0.0");
        HttpResponse<String> created = multipart("file", "house-form.jar", Files.readAllBytes(jar));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("deploy/house-form.jar", json(created).path("entry").path("source").asText());
        // The file part's bytes, not the envelope around them.
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(server.deploy.resolve("house-form.jar")));
        JsonNode shown = json(server.get("/v1/styles/house-form"));
        assertEquals("deploy/house-form.jar", shown.path("entry").path("source").asText());
        assertEquals("house.jsonl", shown.path("report").path("data").path("corpus").asText());

        Map<String, byte[]> before = deployed();
        byte[] prefixed = concat("--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(packJar("house-prefixed", "1.0.0")));
        // An envelope inside the jar: ZipFile alone reads such a file, the framework's deployers do not.
        assertError(422, "invalid_style_pack", multipart("file", "pack.jar", prefixed));
        assertError(422, "invalid_style_pack", server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(prefixed))));
        assertError(422, "invalid_style_pack", multipart("file", "notes.txt", "not a jar".getBytes(UTF_8)));
        assertError(400, "no_file_part", multipart("comment", null, "a form field, no file".getBytes(UTF_8)));
        assertError(400, "invalid_multipart", server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "multipart/form-data; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofString("--xyz\r\nbroken"))));
        Map<String, byte[]> after = deployed();
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
        assertEquals(200, server.send(HttpRequest.newBuilder(server.uri("/v1/styles/house-form")).DELETE())
                .statusCode());
    }

    /** A one-part multipart/form-data upload, as {@code curl -F name=@file} sends it. */
    private static HttpResponse<String> multipart(String name, String fileName, byte[] content) throws Exception {
        String boundary = "penwright-test-boundary";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (fileName == null ? "" : "; filename=\"" + fileName + "\"\r\nContent-Type: application/java-archive")
                + "\r\n\r\n";
        byte[] body = concat(concat(head.getBytes(StandardCharsets.US_ASCII), content),
                ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return server.send(HttpRequest.newBuilder(server.uri("/v1/styles"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Map<String, byte[]> deployed() throws Exception {
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (var list = Files.list(server.deploy)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return files;
    }

    static void assertError(int status, String code, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, errorCode(response), response.body());
    }
}
