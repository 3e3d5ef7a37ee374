package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * Two real runtimes on loopback: B holds the tiny model and renders; A holds no model, and its remote styler
 * (etc/dev.penwright.styler.remote-b.cfg, provisioning = load-api through a shared folder) sends its packs' renderings
 * to B. Packs dropped into A's deploy/ are loaded on B through vLLM's load API, unloaded when undeployed, and
 * replaced under load without a failed request; when B dies mid-request, A's client gets a JSON error in time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteRenderingTest {
    static final String BASE = "tiny";
    static final String STYLE = "remote";
    /** Hot updates under load (the issue asks for 50; about 15 s here). */
    static final int UPDATES = Integer.getInteger("penwright.remote.updates", 50);
    static final int IDLE_TIMEOUT_SECONDS = 3;

    @TempDir
    static Path work;
    static ServerProcess a;
    static ServerProcess b;
    static Path shared;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("b-models"));
        TinyModel.write(models, BASE);
        shared = Files.createDirectories(work.resolve("shared-adapters"));
        b = ServerProcess.start(Files.createDirectories(work.resolve("b")), Files.createDirectories(
                work.resolve("b-deploy")), models, "127.0.0.1", Map.of(
                "dev.penwright.engine.styler", "defaultModel = " + BASE + "\n",
                "dev.penwright.engine.serving", "adapterRoots = " + shared + "\n",
                "dev.penwright.pipeline", "maxConcurrent = 8\nmaxQueued = 64\n"));
        // A pack already in A's deploy folder at start: admitted whether or not the remote styler is up first.
        Path aDeploy = Files.createDirectories(work.resolve("a-deploy"));
        PackFixtures.writePack(aDeploy.resolve("early.jar"), PackFixtures.writeStyleFolder(work.resolve("early-style"),
                "early", "Early", BASE), "early", "1.0.0");
        a = ServerProcess.start(Files.createDirectories(work.resolve("a")), aDeploy, Files.createDirectories(work.resolve("a-models")), "127.0.0.1", Map.of(
                "dev.penwright.styler.remote-b", "baseUrl = http://127.0.0.1:" + b.port + "\nbaseModel = " + BASE
                        + "\nadapterSelection = model\nprovisioning = load-api\nsharedDir = " + shared
                        + "\ntimeoutSeconds = 30\nidleTimeoutSeconds = " + IDLE_TIMEOUT_SECONDS + "\nretries = 1\n",
                "dev.penwright.pipeline", "maxConcurrent = 8\nmaxQueued = 64\n"));
        // The remote styler comes up with the configuration; a pack is admitted on A once it serves the model.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!a.runtimeLog().contains("remote styler b renders base model " + BASE)) {
            assertTrue(System.nanoTime() < deadline, "A's remote styler did not start:\n" + a.log() + a.runtimeLog());
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServerProcess p : new ServerProcess[] {a, b}) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** A pack folder whose adapter weights come from {@code seed}: each seed is another adapter, another name. */
    static Path styleFolder(String name, int seed) throws Exception {
        Path dir = PackFixtures.writeStyleFolder(work.resolve(name), STYLE, "Remote", BASE);
        Map<String, int[]> lora = new LinkedHashMap<>();
        for (String proj : new String[] {"q_proj", "v_proj"}) {
            String p = "base_model.model.model.layers.0.self_attn." + proj + ".";
            lora.put(p + "lora_A.weight", new int[] {PackFixtures.RANK, PackFixtures.HIDDEN});
            lora.put(p + "lora_B.weight", new int[] {PackFixtures.HIDDEN, PackFixtures.RANK});
        }
        PackFixtures.writeSafetensors(dir.resolve("adapter_model.safetensors"), lora, new Random(seed), false);
        return dir;
    }

    /** The warnings, errors and stack traces the runtime logged (the last 200 such lines), for a failure's message. */
    static String tail(ServerProcess p) {
        try {
            List<String> lines = (p.runtimeLog() + p.log()).lines().filter(l -> l.contains("WARN")
                    || l.contains("ERROR") || l.contains("Exception") || l.startsWith("\tat ")
                    || l.startsWith("Caused by")).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static void drop(Path jar) throws Exception {
        Path part = a.deploy.resolve(STYLE + ".jar.part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, a.deploy.resolve(STYLE + ".jar"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The adapters B holds for the style, as its /v1/models lists them. */
    static List<String> loadedOnB() throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode m : ServerProcess.json(b.get("/v1/models")).path("data")) {
            if (m.path("id").asText().startsWith(STYLE + "@")) {
                names.add(m.path("id").asText());
            }
        }
        return names;
    }

    static List<String> awaitLoadedOnB(java.util.function.Predicate<List<String>> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> names = loadedOnB();
        while (!condition.test(names) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            names = loadedOnB();
        }
        return names;
    }

    static String generateBody(int maxTokens, boolean stream) {
        return "{\"style\":\"" + STYLE + "\",\"plan\":{\"title\":\"the daemon\",\"keyFacts\":[\"it runs in the "
                + "background\"],\"language\":\"en\"},\"options\":{\"maxNewTokens\":" + maxTokens
                + ",\"temperature\":0},\"stream\":" + stream + "}";
    }

    static double generationsOnB() throws Exception {
        for (String line : b.get("/metrics").body().split("\n")) {
            if (line.startsWith("penwright_generations_total{style=\"" + STYLE + "\",outcome=\"ok\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    @Order(0)
    void aPackDeployedBeforeAStartedIsAdmittedOnceTheRemoteStylerRuns() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            for (JsonNode s : ServerProcess.json(a.get("/v1/styles?all=true")).path("styles")) {
                if (s.path("id").asText().equals("early")) {
                    state = s.path("state").asText() + " " + s.path("reason").asText();
                }
            }
            if (state.startsWith("ACTIVE")) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals("ACTIVE", state.strip(), "the pack deployed before start: " + state);
        HttpResponse<String> r = a.post("/v1/generate", "{\"style\":\"early\",\"plan\":{\"title\":\"x\"},"
                + "\"options\":{\"maxNewTokens\":3}}");
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    @Order(1)
    void aPackDeployedOnARendersOnBAndIsUnloadedWhenUndeployed() throws Exception {
        Path style = styleFolder("first-style", 11);
        drop(PackFixtures.writePack(work.resolve("first.jar"), style, STYLE, "1.0.0"));
        List<String> loaded = awaitLoadedOnB(names -> names.size() == 1);
        assertEquals(1, loaded.size(), "B did not load the pack's adapter: " + loaded + "\n" + a.log());
        assertTrue(loaded.get(0).matches(STYLE + "@[0-9a-f]{12}"), loaded.get(0));
        assertTrue(Files.isDirectory(shared.resolve(loaded.get(0))), "not copied into the shared folder");

        double before = generationsOnB();
        HttpResponse<String> plain = a.post("/v1/generate", generateBody(12, false));
        assertEquals(200, plain.statusCode(), plain.body());
        JsonNode result = ServerProcess.json(plain);
        assertEquals(STYLE + "@1.0.0", result.path("styleRef").asText());
        assertEquals(BASE, result.path("modelId").asText());
        String text = result.path("text").asText();
        assertFalse(text.isEmpty(), plain.body());
        assertEquals(before + 1, generationsOnB(), "B's /metrics did not count the rendering");

        // The same prompt rendered on B directly, as a vLLM client would ask for it: the same text.
        HttpResponse<String> direct = b.post("/v1/completions", "{\"model\":\"" + loaded.get(0) + "\",\"prompt\":"
                + "\"the daemon\\n- it runs in the background\\n\",\"max_tokens\":12,\"temperature\":0}");
        assertEquals(200, direct.statusCode(), direct.body());
        assertEquals(text, ServerProcess.json(direct).path("choices").get(0).path("text").asText());

        HttpResponse<InputStream> streamed = a.http.send(HttpRequest.newBuilder(a.uri("/v1/generate"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(generateBody(12, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, streamed.statusCode());
        StringBuilder pieces = new StringBuilder();
        int tokenEvents = 0;
        String event = "";
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(streamed.body(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && event.equals("token")) {
                    pieces.append(ServerProcess.JSON.readTree(line.substring(5)).path("text").asText());
                    tokenEvents++;
                }
            }
        }
        assertEquals(text, pieces.toString());
        assertTrue(tokenEvents >= 1);
        assertEquals(before + 3, generationsOnB(), "B's /metrics did not count the streamed rendering");

        Files.delete(a.deploy.resolve(STYLE + ".jar"));
        assertEquals(List.of(), awaitLoadedOnB(List::isEmpty), "undeploying on A did not unload on B");
        assertEquals("style_not_found", ServerProcess.errorCode(a.post("/v1/generate", generateBody(4, false))));
    }

    @Test
    @Order(2)
    void hotUpdatesOnAUnderLoadFailNoRequestAndLeaveAtMostTwoVersionsOnB() throws Exception {
        List<Path> jars = new ArrayList<>();
        for (int v = 0; v <= UPDATES; v++) {
            jars.add(PackFixtures.writePack(work.resolve("hot-" + v + ".jar"), styleFolder("hot-style-" + v, 100 + v),
                    STYLE, "2.0." + v));
        }
        drop(jars.get(0));
        assertEquals(1, awaitLoadedOnB(names -> names.size() == 1).size());
        AtomicBoolean updating = new AtomicBoolean(true);
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger served = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            running.add(clients.submit(() -> {
                while (updating.get()) {
                    try {
                        HttpResponse<String> r = a.post("/v1/generate", generateBody(6, false));
                        if (r.statusCode() == 200) {
                            served.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        for (int v = 1; v <= UPDATES; v++) {
            HttpResponse<String> r = a.send(HttpRequest.newBuilder(a.uri("/v1/styles"))
                    .header("Content-Type", "application/java-archive")
                    .POST(HttpRequest.BodyPublishers.ofFile(jars.get(v))));
            assertEquals(201, r.statusCode(), "update " + v + ": " + r.body());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        updating.set(false);
        for (Future<?> f : running) {
            f.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();
        List<String> left = awaitLoadedOnB(names -> names.size() <= 1);
        System.out.printf("[measure] %d hot updates on A in %.1f s under 4 clients rendering on B: %d requests "
                + "served, %d failed; B holds %d version(s) after%n", UPDATES, seconds, served.get(), failures.size(),
                left.size());
        assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())), () -> "A's log:\n"
                + tail(a) + "\nB's log:\n" + tail(b));
        assertTrue(served.get() >= UPDATES / 2, "too little load: " + served.get());
        // The issue's bound. Usually B ends with the current version alone; once in a clean-clone run a superseded
        // version stayed loaded (a race between an update and the old version's last request, to be looked into).
        assertTrue(left.size() <= 2, "B holds " + left);
    }

    @Test
    @Order(3)
    void killingBMidRequestGivesAJsonErrorInTimeAndAStaysHealthy() throws Exception {
        // A long rendering: the answer is still streaming when B dies.
        CompletableFuture<String> answer = new CompletableFuture<>();
        CompletableFuture<Void> firstPiece = new CompletableFuture<>();
        long[] answeredAt = {0};
        Thread client = new Thread(() -> {
            try {
                HttpResponse<InputStream> r = a.http.send(HttpRequest.newBuilder(a.uri("/v1/generate"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"style\":\"" + STYLE + "\",\"plan\":{\"title\":"
                                + "\"the daemon\"},\"options\":{\"maxNewTokens\":2000,\"temperature\":1.0,"
                                + "\"seed\":5},\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofInputStream());
                StringBuilder events = new StringBuilder();
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(),
                        StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.startsWith("event: token")) {
                            firstPiece.complete(null);
                        }
                        events.append(line).append('\n');
                    }
                }
                answeredAt[0] = System.nanoTime();
                firstPiece.completeExceptionally(new AssertionError("the answer ended before any text: " + events));
                answer.complete(events.toString());
            } catch (Exception e) {
                answer.completeExceptionally(e);
            }
        });
        client.start();
        firstPiece.get(60, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        b.kill();
        String events = answer.get(60, TimeUnit.SECONDS);
        double seconds = (answeredAt[0] - killed) / 1e9;
        System.out.printf("[measure] B killed mid-request: A's client had its error after %.2f s%n", seconds);
        assertTrue(events.contains("event: error"), events.substring(Math.max(0, events.length() - 500)));
        String error = events.substring(events.indexOf("event: error"));
        JsonNode body = ServerProcess.JSON.readTree(error.substring(error.indexOf("data:") + 5, error.indexOf('\n',
                error.indexOf("data:"))));
        assertEquals("backend_failed", body.path("error").path("code").asText(), error);
        assertTrue(seconds < IDLE_TIMEOUT_SECONDS + 2, "the error took " + seconds + " s");

        // B stays down: a new request is refused with a JSON error at once, and A itself is healthy.
        long t0 = System.nanoTime();
        HttpResponse<String> refused = a.post("/v1/generate", generateBody(4, false));
        double refusedSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(502, refused.statusCode(), refused.body());
        assertEquals("backend_failed", ServerProcess.errorCode(refused));
        assertTrue(refusedSeconds < IDLE_TIMEOUT_SECONDS + 2, "refusal took " + refusedSeconds + " s");
        assertEquals(200, a.get("/health").statusCode());
    }
}
