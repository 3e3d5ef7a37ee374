package dev.penwright.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.generate.QueueStatus;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.api.style.Styler;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code GET /metrics}: Prometheus text. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
public final class MetricsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient Metrics metrics;
    private final transient StylePackRegistry styles;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile GenerationService generation;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Styler styler;

    @Activate
    public MetricsServlet(@Reference Metrics metrics, @Reference StylePackRegistry styles) {
        this.metrics = metrics;
        this.styles = styles;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        Map<String, Double> gauges = new LinkedHashMap<>();
        GenerationService g = generation;
        QueueStatus q = g == null ? QueueStatus.UNKNOWN : g.queueStatus();
        gauges.put("penwright_queue_running", (double) q.running());
        gauges.put("penwright_queue_waiting", (double) q.queued());
        gauges.put("penwright_queue_max_running", (double) q.maxRunning());
        gauges.put("penwright_queue_max_waiting", (double) q.maxQueued());
        List<StylePackEntry> entries = styles.entries();
        for (StylePackState state : StylePackState.values()) {
            gauges.put("penwright_style_packs{state=\"" + state.name().toLowerCase(Locale.ROOT) + "\"}",
                    (double) entries.stream().filter(e -> e.state() == state).count());
        }
        Styler engine = styler;
        gauges.put("penwright_adapters_loaded", engine == null ? 0.0 : engine.adaptersLoaded());
        byte[] body = metrics.scrape(gauges).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain; version=0.0.4; charset=utf-8");
        response.getOutputStream().write(body);
    }
}
