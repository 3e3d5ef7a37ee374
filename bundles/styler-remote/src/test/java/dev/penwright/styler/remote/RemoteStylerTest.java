package dev.penwright.styler.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote styler against real HTTP servers that answer well, slowly, wrongly or not at all: every failure is a
 * {@link GenerationException} with a code, within the configured time, and adapters are loaded before use and
 * unloaded after the last request.
 */
class RemoteStylerTest {
    static final ContentPlan PLAN = new ContentPlan("the daemon", "", List.of("it runs in the background"), "", "en",
            "test", null);

    @TempDir
    Path work;
    final ExecutorService workers = Executors.newCachedThreadPool();
    final ExecutorService calls = Executors.newSingleThreadExecutor();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        workers.shutdownNow();
        calls.shutdownNow();
        timer.shutdownNow();
    }

    record TestPack(StyleDescriptor descriptor, String version, Path directory) implements StylePack {
        @Override
        public List<Exemplar> exemplars() {
            return List.of();
        }
    }

    TestPack pack(String version, String weights) throws Exception {
        Path dir = Files.createDirectories(work.resolve("pack-" + version));
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":2}");
        Files.writeString(dir.resolve("adapter_model.safetensors"), weights);
        return new TestPack(new StyleDescriptor("jargon", "Jargon", "en", "", "tiny", "", "{title}\n{facts}\n",
                null, "", ""), version, dir);
    }

    /** A configuration as Config Admin would pass it: the given keys, the rest at their defaults. */
    static RemoteStylerConfig config(Map<String, String> values) {
        return (RemoteStylerConfig) Proxy.newProxyInstance(RemoteStylerConfig.class.getClassLoader(),
                new Class<?>[] {RemoteStylerConfig.class}, (proxy, method, args) -> {
                    String v = values.get(method.getName());
                    if (v == null) {
                        return method.getDefaultValue();
                    }
                    return method.getReturnType() == int.class ? (Object) Integer.parseInt(v) : v;
                });
    }

    RemoteStyler styler(String url, Map<String, String> more, Styler local) {
        Map<String, String> values = new HashMap<>(Map.of("baseUrl", url, "baseModel", "tiny",
                "timeoutSeconds", "5", "idleTimeoutSeconds", "1", "retries", "1", "connectTimeoutMillis", "500"));
        values.putAll(more);
        return new RemoteStyler(RemoteSettings.of(config(values), "test", name -> null), workers, calls, timer,
                () -> local, message -> { });
    }

    static GenerationException failure(CompletableFuture<StyledText> future) throws Exception {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof GenerationException, e.getCause().toString());
            return (GenerationException) e.getCause();
        }
        throw new AssertionError("the rendering succeeded");
    }

    CompletableFuture<StyledText> render(RemoteStyler styler, StylePack pack, StringBuilder pieces) {
        return styler.style(new StyleRequest(PLAN, pack, GenerationOptions.greedy(8)), pieces::append)
                .toCompletableFuture();
    }

    @Test
    void loadsTheAdapterThenStreamsTheTextAndUnloadsAfterTheLastRequest() throws Exception {
        try (FakeBackend backend = new FakeBackend((exchange, body) -> {
            if (exchange.getRequestURI().getPath().endsWith("_lora_adapter")) {
                FakeBackend.send(exchange, 200, "text/plain", "Success");
            } else {
                FakeBackend.stream(exchange, "a ", "daemon");
            }
        })) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "load-api", "sharedDir",
                    work.resolve("shared").toString()), null);
            TestPack v1 = pack("1.0.0", "weights one");
            String name = AdapterNames.of(v1);
            styler.packArrived(v1);
            StringBuilder pieces = new StringBuilder();
            StyledText text = render(styler, v1, pieces).get(20, TimeUnit.SECONDS);
            assertEquals("a daemon", text.text());
            assertEquals("a daemon", pieces.toString());
            assertEquals("jargon@1.0.0", text.styleRef());
            assertEquals(2, text.generatedTokens());
            assertEquals(List.of("/v1/load_lora_adapter", "/v1/completions"), backend.paths());
            JsonNode load = BackendClient.JSON.readTree(backend.received.get(0).body());
            assertEquals(name, load.path("lora_name").asText());
            assertEquals(work.resolve("shared").resolve(name).toString(), load.path("lora_path").asText());
            assertTrue(Files.isRegularFile(work.resolve("shared").resolve(name).resolve("adapter_model.safetensors")));
            JsonNode completion = BackendClient.JSON.readTree(backend.received.get(1).body());
            assertEquals(name, completion.path("model").asText());
            assertEquals("the daemon\n- it runs in the background\n", completion.path("prompt").asText());

            // A new version: loaded beside the old one, which goes once withdrawn.
            TestPack v2 = pack("1.0.1", "weights two");
            styler.packArrived(v2);
            styler.packLeft(v1);
            render(styler, v2, new StringBuilder()).get(20, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!backend.paths().contains("/v1/unload_lora_adapter") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            JsonNode unload = BackendClient.JSON.readTree(backend.received.stream()
                    .filter(r -> r.path().equals("/v1/unload_lora_adapter")).findFirst().orElseThrow().body());
            assertEquals(name, unload.path("lora_name").asText());
            assertEquals(java.util.Set.of(AdapterNames.of(v2)), styler.adapters());
        }
    }

    @Test
    void anAdapterThatFailedToLoadIsLoadedAgainByTheNextRequest() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        try (FakeBackend backend = new FakeBackend((exchange, body) -> {
            if (exchange.getRequestURI().getPath().equals("/v1/load_lora_adapter")) {
                boolean first = loads.incrementAndGet() == 1;
                FakeBackend.send(exchange, first ? 503 : 200, "text/plain", first ? "starting up" : "Success");
            } else {
                FakeBackend.stream(exchange, "back");
            }
        })) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "load-api", "sharedDir",
                    work.resolve("shared").toString()), null);
            TestPack pack = pack("1.0.0", "weights");
            styler.packArrived(pack); // the backend is not ready yet: this load fails
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loads.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertEquals("back", render(styler, pack, new StringBuilder()).get(20, TimeUnit.SECONDS).text());
            assertEquals(List.of("/v1/load_lora_adapter", "/v1/load_lora_adapter", "/v1/completions"),
                    backend.paths());
        }
    }

    @Test
    void aDownBackendIsAJsonErrorAfterItsRetries() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        RemoteStyler styler = styler("http://127.0.0.1:" + closed, Map.of("provisioning", "none"), null);
        long t0 = System.nanoTime();
        GenerationException e = failure(render(styler, pack("1.0.0", "w"), new StringBuilder()));
        assertEquals(GenerationException.BACKEND_FAILED, e.code());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took longer than the timeout");
    }

    @Test
    void aSilentBackendTimesOutAfterTheIdleTimeout() throws Exception {
        try (FakeBackend backend = new FakeBackend((exchange, body) -> Thread.sleep(30_000))) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "none"), null);
            long t0 = System.nanoTime();
            GenerationException e = failure(render(styler, pack("1.0.0", "w"), new StringBuilder()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(GenerationException.TIMEOUT, e.code(), e.getMessage());
            assertTrue(seconds < 3, "took " + seconds + " s with an idle timeout of 1 s");
        }
    }

    @Test
    void aBackendThatStallsMidStreamTimesOutKeepingWhatArrived() throws Exception {
        try (FakeBackend backend = new FakeBackend((exchange, body) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            FakeBackend.event(out, "{\"choices\":[{\"index\":0,\"text\":\"half\",\"finish_reason\":null}]}");
            Thread.sleep(30_000);
        })) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "none"), null);
            StringBuilder pieces = new StringBuilder();
            GenerationException e = failure(render(styler, pack("1.0.0", "w"), pieces));
            assertEquals(GenerationException.TIMEOUT, e.code());
            assertEquals("half", pieces.toString());
            assertEquals(1, backend.received.size(), "a stream that had started is not retried");
        }
    }

    @Test
    void garbageIsABackendErrorNotRetried() throws Exception {
        try (FakeBackend backend = new FakeBackend((exchange, body) ->
                FakeBackend.send(exchange, 200, "text/html", "<html><body>hello</body></html>"))) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "none"), null);
            GenerationException e = failure(render(styler, pack("1.0.0", "w"), new StringBuilder()));
            assertEquals(GenerationException.BACKEND_FAILED, e.code());
            assertTrue(e.getMessage().contains("not a completion"), e.getMessage());
            assertEquals(1, backend.received.size());
            // With provisioning none the fleet knows the style by its id.
            assertEquals("jargon", BackendClient.JSON.readTree(backend.received.get(0).body()).path("model").asText());
        }
    }

    @Test
    void aFailedRequestIsRetriedAndAnErrorAnswerKeepsItsMessage() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (FakeBackend backend = new FakeBackend((exchange, body) -> {
            if (calls.incrementAndGet() == 1) {
                FakeBackend.send(exchange, 503, "application/json", "{\"error\":{\"message\":\"overloaded\"}}");
            } else {
                FakeBackend.stream(exchange, "ok");
            }
        })) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "none"), null);
            assertEquals("ok", render(styler, pack("1.0.0", "w"), new StringBuilder()).get(20, TimeUnit.SECONDS)
                    .text());
            assertEquals(2, backend.received.size());
        }
        try (FakeBackend refusing = new FakeBackend((exchange, body) -> FakeBackend.send(exchange, 400,
                "application/json", "{\"error\":{\"message\":\"prompt too long\",\"type\":\"BadRequestError\"}}"))) {
            RemoteStyler styler = styler(refusing.url(), Map.of("provisioning", "none"), null);
            GenerationException e = failure(render(styler, pack("1.0.0", "w"), new StringBuilder()));
            assertTrue(e.getMessage().contains("400: prompt too long"), e.getMessage());
            assertEquals(1, refusing.received.size(), "a refusal of the request itself is not retried");
        }
    }

    @Test
    void aConfiguredLocalFallbackRendersWhenTheBackendIsDown() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Styler local = (request, listener) -> CompletableFuture.completedFuture(new StyledText("local text", "tiny",
                request.pack().ref(), 3, 2, "stop"));
        RemoteStyler styler = styler("http://127.0.0.1:" + closed, Map.of("provisioning", "none", "fallback", "local"),
                local);
        assertEquals("local text", render(styler, pack("1.0.0", "w"), new StringBuilder()).get(20, TimeUnit.SECONDS)
                .text());
    }

    @Test
    void renderingsOneAfterAnotherOnPooledConnectionsNeverBreakOff() throws Exception {
        // No retries: a pooled connection that the client closed under a later rendering shows as a failure.
        try (FakeBackend backend = new FakeBackend((exchange, body) -> FakeBackend.stream(exchange, "a ", "daemon"))) {
            RemoteStyler styler = styler(backend.url(), Map.of("provisioning", "none", "retries", "0"), null);
            TestPack pack = pack("1.0.0", "w");
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
            for (int c = 0; c < 4; c++) {
                running.add(clients.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        try {
                            render(styler, pack, new StringBuilder()).get(20, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            failures.add(e.getCause().getMessage());
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
            clients.shutdown();
            assertEquals(List.of(), failures.subList(0, Math.min(3, failures.size())), failures.size() + " of 1000");
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheKey() {
        for (Map.Entry<Map<String, String>, String> bad : Map.of(
                Map.of("baseUrl", "ftp://x", "baseModel", "m"), "baseUrl",
                Map.of("baseUrl", "http://x", "baseModel", ""), "baseModel",
                Map.of("baseUrl", "http://x", "baseModel", "m", "adapterSelection", "header"), "adapterSelection",
                Map.of("baseUrl", "http://x", "baseModel", "m", "provisioning", "shared-dir"), "sharedDir",
                Map.of("baseUrl", "http://x", "baseModel", "m", "apiKeyEnv", "NO_SUCH_VARIABLE"), "apiKeyEnv",
                Map.of("baseUrl", "http://x", "baseModel", "m", "fallback", "maybe"), "fallback").entrySet()) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> RemoteSettings.of(config(bad.getKey()), "t", name -> null));
            assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
        }
        RemoteSettings ok = RemoteSettings.of(config(Map.of("baseUrl", "http://vllm:8000/v1/", "baseModel", "m",
                "adapterSelection", "model-prefix")), "t", name -> null);
        assertEquals("http://vllm:8000", ok.root());
        assertEquals(RemoteSettings.Selection.MODEL_PREFIX, ok.selection());
    }
}
