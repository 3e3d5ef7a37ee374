package dev.penwright.styler.remote.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.styler.remote.BackendProtocol;
import dev.penwright.styler.remote.RemoteSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost of one hop. Node A renders a style through its remote styler on backend B; the same prompt is rendered
 * on B directly, as a vLLM client would ask for it ({@code /v1/completions} with the adapter's name). Both greedy,
 * the same plan and token count, at each number of concurrent clients. A's answer says how long its styler took
 * ({@code timings.styleMillis}: prompt, HTTP to B, B's rendering, streaming back), so the hop's overhead is that
 * minus B's own latency, without A's evaluation.
 */
@Command(name = "bench remote", mixinStandardHelpOptions = true,
        description = "Overhead of rendering through a node (A -> B) against rendering on the backend B directly.")
final class BenchRemoteCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    static final ContentPlan PLAN = new ContentPlan("The daemon", "A program that runs in the background.",
            List.of("it was first named at MIT in 1963", "it has no controlling terminal"),
            "A daemon is a program that runs in the background. It was first named at MIT in 1963.", "en", "bench",
            null);

    @Option(names = "--via", required = true, description = "Node A's URL (it renders the style remotely)")
    String via;

    @Option(names = "--direct", required = true, description = "Backend B's URL")
    String direct;

    @Option(names = "--style", required = true, description = "A style active on A whose base model B serves")
    String style;

    @Option(names = "--clients", split = ",", defaultValue = "1,8", description = "Concurrent clients (default 1,8)")
    List<Integer> clients;

    @Option(names = "--requests", defaultValue = "16", description = "Requests per client count and path")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "16", description = "Tokens each rendering writes")
    int maxTokens;

    @Option(names = "--json", description = "Print JSON only")
    boolean json;

    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    BenchRemoteCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        StyleDescriptor descriptor = JSON.treeToValue(get(via + "/v1/styles/" + style).path("style"),
                StyleDescriptor.class);
        String adapter = adapterOnBackend();
        // Exactly what A's remote styler sends for this request, but not streamed: B's own answer to it.
        GenerationOptions requested = new GenerationOptions(maxTokens, 0.0, null, null, null, null, null);
        String directBody = JSON.writeValueAsString(BackendProtocol.renderBody(RemoteSettings.Selection.MODEL,
                descriptor.baseModel(), adapter, false, BackendProtocol.prompt(descriptor, PLAN, List.of()),
                BackendProtocol.options(descriptor, requested), false));
        Map<String, Object> viaRequest = new LinkedHashMap<>();
        viaRequest.put("style", style);
        viaRequest.put("plan", PLAN);
        viaRequest.put("options", Map.of("maxNewTokens", maxTokens, "temperature", 0));
        String viaBody = JSON.writeValueAsString(viaRequest);
        List<Map<String, Object>> runs = new ArrayList<>();
        Path directPath = new Path(direct + "/v1/completions", directBody);
        Path viaPath = new Path(via + "/v1/generate", viaBody);
        for (int c : clients) {
            measure(directPath, viaPath, Math.min(c, 2), 2); // warm-up
            Stats[] stats = measure(directPath, viaPath, c, Math.max(requests, c));
            Stats b = stats[0];
            Stats a = stats[1];
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("clients", c);
            run.put("direct", b.json());
            run.put("via", a.json());
            run.put("hop_overhead_p50_ms", Stats.round(a.styleP50() - b.p50()));
            run.put("end_to_end_overhead_p50_ms", Stats.round(a.p50() - b.p50()));
            runs.add(run);
            if (!json) {
                out.printf("%d client(s): B direct p50 %.0f ms, through A p50 %.0f ms (styler %.0f ms): one hop adds "
                        + "%.0f ms%n", c, b.p50(), a.p50(), a.styleP50(), a.styleP50() - b.p50());
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("style", style);
        report.put("adapter", adapter);
        report.put("max_tokens", maxTokens);
        report.put("runs", runs);
        report.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return 0;
    }

    /** The content-addressed name B lists for the style (the one A provisioned). */
    private String adapterOnBackend() throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode m : get(direct + "/v1/models").path("data")) {
            if (m.path("id").asText().startsWith(style + "@")) {
                names.add(m.path("id").asText());
            }
        }
        if (names.size() != 1) {
            throw new IllegalStateException("backend lists " + names.size() + " adapters of style " + style + ": "
                    + names + " (deploy the style on A, whose remote styler loads it on B)");
        }
        return names.get(0);
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** A request to time: where and what. */
    private record Path(String url, String body) {
    }

    /**
     * Latencies of {@code total} requests on each path, sent by {@code clients} at once, each client alternating
     * between the paths (half of them starting with each), so that both see the same load on a shared machine.
     */
    private Stats[] measure(Path directPath, Path viaPath, int clients, int total) throws Exception {
        Stats[] stats = {new Stats(), new Stats()};
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(2 * total);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int first = i % 2;
            running.add(pool.submit(() -> {
                for (int n = first; left.getAndDecrement() > 0; n++) {
                    time(n % 2 == 0 ? directPath : viaPath, stats[n % 2]);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        stats[0].seconds = seconds;
        stats[1].seconds = seconds;
        return stats;
    }

    private void time(Path path, Stats into) throws Exception {
        long s = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(path.url()))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(path.body())).build(), HttpResponse.BodyHandlers.ofString());
        into.latencies.add((System.nanoTime() - s) / 1e6);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST " + path.url() + " answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode timings = JSON.readTree(r.body()).path("timings");
        if (timings.has("styleMillis")) {
            into.styling.add(timings.get("styleMillis").asDouble());
        }
    }

    /** One path's latencies; both paths share the run's wall time, so each rate is of its own requests. */
    private static final class Stats {
        final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<Double> styling = Collections.synchronizedList(new ArrayList<>());
        double seconds;

        static double percentile(List<Double> values, double p) {
            if (values.isEmpty()) {
                return 0;
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return sorted.get((int) Math.ceil(p * sorted.size()) - 1);
        }

        double p50() {
            return percentile(latencies, 0.5);
        }

        double styleP50() {
            return percentile(styling, 0.5);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", latencies.size());
            m.put("p50_ms", round(p50()));
            m.put("p95_ms", round(percentile(latencies, 0.95)));
            m.put("requests_per_s", round(latencies.size() / seconds));
            if (!styling.isEmpty()) {
                m.put("styler_p50_ms", round(styleP50()));
            }
            return m;
        }

        static double round(double v) {
            return Math.round(v * 10) / 10.0;
        }
    }
}
