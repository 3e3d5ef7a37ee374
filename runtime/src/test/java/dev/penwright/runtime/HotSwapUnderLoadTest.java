package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 updates of one pack, uploaded through the API, while clients generate in that style without pause: every
 * request succeeds, and each is answered by one of the versions deployed. Then a measured load run: latency
 * percentiles and throughput of /v1/generate at a fixed concurrency.
 */
class HotSwapUnderLoadTest {
    static final String BASE = "tiny";
    static final String STYLE = "swap";
    static final int SWAPS = 100;
    static final int CLIENTS = 4;

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, BASE);
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = " + BASE + "\n",
                        "dev.penwright.pipeline", "maxConcurrent = 8\nmaxQueued = 64\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> upload(Path jar) throws Exception {
        return upload(jar, false);
    }

    private static HttpResponse<String> upload(Path jar, boolean allowDowngrade) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/v1/styles" + (allowDowngrade ? "?allowDowngrade=true" : "")))
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofFile(jar)));
    }

    private static HttpResponse<String> generate(int maxTokens) throws Exception {
        return server.post("/v1/generate", "{\"style\":\"" + STYLE + "\",\"material\":{\"brief\":\"the release\","
                + "\"facts\":[\"debian has many packages\"]},\"options\":{\"maxNewTokens\":" + maxTokens + "}}");
    }

    @Test
    void hundredHotSwapsUnderConcurrentLoadWithoutAFailedRequest() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), STYLE, "Swap", BASE);
        List<Path> jars = new ArrayList<>();
        for (int v = 0; v <= SWAPS; v++) {
            jars.add(PackFixtures.writePack(work.resolve("swap-" + v + ".jar"), style, STYLE, "1.0." + v));
        }
        // The other test may have left version 2.0.0 active: going back to 1.0.0 is an explicit downgrade.
        HttpResponse<String> first = upload(jars.get(0), true);
        assertEquals(201, first.statusCode(), first.body());

        AtomicBoolean swapping = new AtomicBoolean(true);
        List<String> failures = new CopyOnWriteArrayList<>();
        Map<String, Integer> answeredBy = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                while (swapping.get()) {
                    try {
                        HttpResponse<String> r = generate(6);
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                        } else {
                            answeredBy.merge(ServerProcess.json(r).path("styleRef").asText(), 1, Integer::sum);
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        for (int v = 1; v <= SWAPS; v++) {
            HttpResponse<String> r = upload(jars.get(v));
            assertEquals(201, r.statusCode(), "swap " + v + ": " + r.body());
            assertEquals("1.0." + v, ServerProcess.json(r).path("entry").path("version").asText());
        }
        double swapSeconds = (System.nanoTime() - t0) / 1e9;
        swapping.set(false);
        for (Future<?> f : running) {
            f.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();
        int served = answeredBy.values().stream().mapToInt(Integer::intValue).sum();
        Set<String> versions = new java.util.TreeSet<>(answeredBy.keySet());
        System.out.printf("[measure] %d hot swaps in %.1f s under %d clients: %d requests served, %d failed, answered"
                + " by %d distinct versions%n", SWAPS, swapSeconds, CLIENTS, served, failures.size(), versions.size());
        assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())));
        assertTrue(versions.stream().allMatch(v -> v.matches("swap@1\\.0\\.\\d+")), versions.toString());
        assertTrue(versions.size() > 1, "load never saw an update: " + versions);
        assertTrue(served >= SWAPS / 2, "too little load: " + served);
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    void latencyAndThroughputUnderLoad() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("load-style"), STYLE, "Swap", BASE);
        assertTrue(Set.of(201, 202).contains(upload(PackFixtures.writePack(work.resolve("load.jar"), style, STYLE,
                "2.0.0")).statusCode()));
        int tokens = 32;
        int perClient = 10;
        generate(tokens); // warm-up
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Integer> generated = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        long t0 = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                    long s = System.nanoTime();
                    HttpResponse<String> r = generate(tokens);
                    latencies.add((System.nanoTime() - s) / 1_000_000);
                    assertEquals(200, r.statusCode(), r.body());
                    JsonNode result = ServerProcess.json(r);
                    generated.add(result.path("generatedTokens").asInt());
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(600, TimeUnit.SECONDS);
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
        long p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
        int total = generated.stream().mapToInt(Integer::intValue).sum();
        System.out.printf("[measure] load: %d requests (%d clients, %d new tokens each, tiny model, plan+style+evaluate)"
                + " in %.1f s: p50 %d ms, p99 %d ms, %.2f requests/s, %.1f generated tokens/s%n", sorted.size(),
                CLIENTS, tokens, seconds, p50, p99, sorted.size() / seconds, total / seconds);
        Map<String, String> metrics = new TreeMap<>();
        for (String line : server.get("/metrics").body().split("\n")) {
            if (line.startsWith("penwright_generation_tokens_per_second") || line.startsWith("penwright_queue")) {
                metrics.put(line.split(" ")[0], line.split(" ")[1]);
            }
        }
        System.out.println("[measure] /metrics after the run: " + metrics);
        assertEquals(CLIENTS * perClient, sorted.size());
        assertTrue(Double.parseDouble(metrics.get("penwright_generation_tokens_per_second")) > 0);
    }
}
