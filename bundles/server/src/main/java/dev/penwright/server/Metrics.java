package dev.penwright.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import dev.penwright.api.serve.AdapterServing;
import dev.penwright.api.style.StylePackRegistry;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Counters and histograms for {@code /metrics}, written in the Prometheus text exposition format (version 0.0.4).
 * Labels are bounded: routes are servlet patterns, styles are deployed ids ({@code unknown} for any other id a
 * client sends, so that no client can add series or write into the exposition).
 */
@Component(service = Metrics.class)
public final class Metrics {
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    /** A cumulative histogram of seconds. */
    static final class Histogram {
        final LongAdder[] counts = new LongAdder[LATENCY_BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
                if (seconds <= LATENCY_BUCKETS[i]) {
                    counts[i].increment();
                }
            }
            count.increment();
            sum.add(seconds);
        }
    }

    static final String UNKNOWN_STYLE = "unknown";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile StylePackRegistry styles;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile AdapterServing adapters;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> requestLatency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> generations = new ConcurrentHashMap<>();
    private final Map<String, Histogram> generationLatency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> tokens = new ConcurrentHashMap<>();
    private final LongAdder rejectedUploads = new LongAdder();
    /** (time, tokens) of recent generations, for a tokens-per-second rate over the last minute. */
    private final Deque<long[]> recentTokens = new ArrayDeque<>();

    void request(String route, String method, int status, double seconds) {
        requests.computeIfAbsent(labels("route", route, "method", method, "status", Integer.toString(status)),
                k -> new LongAdder()).increment();
        requestLatency.computeIfAbsent(labels("route", route), k -> new Histogram()).observe(seconds);
    }

    void generation(String style, String outcome, double seconds, int generatedTokens) {
        String s = styleLabel(style);
        generations.computeIfAbsent(labels("style", s, "outcome", outcome), k -> new LongAdder()).increment();
        if (outcome.equals("ok")) {
            generationLatency.computeIfAbsent(labels("style", s), k -> new Histogram()).observe(seconds);
            tokens.computeIfAbsent(labels("style", s), k -> new LongAdder()).add(generatedTokens);
            synchronized (recentTokens) {
                recentTokens.addLast(new long[] {System.nanoTime(), generatedTokens});
                trim();
            }
        }
    }

    /**
     * The label of a style: "(base)" for none, the id of a deployed pack (active or rejected) or the style of a loaded
     * adapter, else "unknown".
     */
    String styleLabel(String style) {
        if (style == null || style.isEmpty()) {
            return "(base)";
        }
        StylePackRegistry registry = styles;
        boolean known = registry != null && registry.entries().stream().anyMatch(e -> e.id().equals(style));
        // Adapters loaded by another node: their style is as bounded as the loads an administrator made.
        AdapterServing loaded = adapters;
        known = known || loaded != null && loaded.adapters().stream().anyMatch(a -> a.style().equals(style));
        return known ? style : UNKNOWN_STYLE;
    }

    void rejectedUpload() {
        rejectedUploads.increment();
    }

    /** Generated tokens per second over the last minute. */
    double tokensPerSecond() {
        synchronized (recentTokens) {
            trim();
            long sum = 0;
            for (long[] e : recentTokens) {
                sum += e[1];
            }
            return sum / 60.0;
        }
    }

    private void trim() {
        long cutoff = System.nanoTime() - 60_000_000_000L;
        while (!recentTokens.isEmpty() && recentTokens.peekFirst()[0] < cutoff) {
            recentTokens.pollFirst();
        }
    }

    /** The exposition, with the gauges the caller reads at scrape time. */
    String scrape(Map<String, Double> gauges) {
        StringBuilder out = new StringBuilder();
        counter(out, "penwright_http_requests_total", "HTTP requests by route, method and status.", requests);
        histogram(out, "penwright_http_request_duration_seconds", "HTTP request latency by route.", requestLatency);
        counter(out, "penwright_generations_total", "Generation requests by style and outcome.", generations);
        histogram(out, "penwright_generation_duration_seconds", "End-to-end latency of successful generations.",
                generationLatency);
        counter(out, "penwright_generated_tokens_total", "Tokens written by the small model, by style.", tokens);
        out.append("# HELP penwright_style_pack_uploads_rejected_total Uploaded packs refused before deployment.\n")
                .append("# TYPE penwright_style_pack_uploads_rejected_total counter\n")
                .append("penwright_style_pack_uploads_rejected_total ").append(rejectedUploads.sum()).append('\n');
        out.append("# HELP penwright_generation_tokens_per_second Generated tokens per second over the last minute.\n")
                .append("# TYPE penwright_generation_tokens_per_second gauge\n")
                .append("penwright_generation_tokens_per_second ").append(format(tokensPerSecond())).append('\n');
        String family = null;
        for (Map.Entry<String, Double> g : new TreeMap<>(gauges).entrySet()) {
            // A gauge with labels (name{label="value"}) shares its family's one TYPE line.
            int labels = g.getKey().indexOf('{');
            String name = labels < 0 ? g.getKey() : g.getKey().substring(0, labels);
            if (!name.equals(family)) {
                out.append("# TYPE ").append(name).append(" gauge\n");
                family = name;
            }
            out.append(g.getKey()).append(' ').append(format(g.getValue())).append('\n');
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, Map<String, LongAdder> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(values).forEach((labels, v) -> out.append(name).append('{').append(labels).append("} ")
                .append(v.sum()).append('\n'));
    }

    private static void histogram(StringBuilder out, String name, String help, Map<String, Histogram> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(values).forEach((labels, h) -> {
            for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
                out.append(name).append("_bucket{").append(labels).append(",le=\"").append(format(LATENCY_BUCKETS[i]))
                        .append("\"} ").append(h.counts[i].sum()).append('\n');
            }
            out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(h.count.sum())
                    .append('\n');
            out.append(name).append("_sum{").append(labels).append("} ").append(format(h.sum.sum())).append('\n');
            out.append(name).append("_count{").append(labels).append("} ").append(h.count.sum()).append('\n');
        });
    }

    static String labels(String... pairs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                s.append(',');
            }
            s.append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
        }
        return s.toString();
    }

    /** The exposition's escapes, and no raw control character at all (they would break a scraper's parsing). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                .replaceAll("\\p{Cntrl}", "?");
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        // Shortest exact decimal, as Prometheus clients print it: 0.005, not 0.00500000.
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
