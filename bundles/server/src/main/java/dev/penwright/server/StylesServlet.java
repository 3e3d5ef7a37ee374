package dev.penwright.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /v1/styles}: every deployed pack, active or rejected (with the reason); {@code GET /v1/styles/{id}}:
 * one, with its style.json.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/styles", "/v1/styles/*"})
public final class StylesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient StylePackRegistry styles;

    @Activate
    public StylesServlet(@Reference StylePackRegistry styles) {
        this.styles = styles;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.equals("/")) {
            JsonResponses.write(response, 200, Map.of("styles", styles.entries()));
            return;
        }
        String id = path.substring(1);
        Optional<StylePackEntry> entry = styles.entries().stream().filter(e -> e.id().equals(id)).findFirst();
        if (entry.isEmpty()) {
            JsonResponses.error(response, 404, "style_not_found", "no style pack '" + id + "'");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entry", entry.get());
        styles.find(id).map(StylePack::descriptor).ifPresent(d -> body.put("style", d));
        JsonResponses.write(response, 200, body);
    }
}
