package dev.penwright.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import ai.djl.engine.Engine;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /health}: up, with counts of active and rejected packs and the tensor engine. Asking DJL for its engine
 * here, on a request thread of a bundle, is deliberate: it shows the launcher's one-time engine set-up serves every
 * bundle and thread.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/health")
public final class HealthServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient StylePackRegistry styles;

    @Activate
    public HealthServlet(@Reference StylePackRegistry styles) {
        this.styles = styles;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("styles", styles.entries().stream().filter(e -> e.state() == StylePackState.ACTIVE).count());
        body.put("rejected", styles.entries().stream().filter(e -> e.state() == StylePackState.REJECTED).count());
        body.put("uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
        Engine engine = Engine.getInstance();
        body.put("engine", engine.getEngineName() + " " + engine.getVersion());
        JsonResponses.write(response, 200, body);
    }
}
