package dev.penwright.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /ui/}: the web page (style catalogue and playground), static files from this bundle that use only the
 * public API. It holds no data, so it is served without an API key; its calls carry the key the user enters.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/ui", "/ui/*"})
public final class WebPageServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    @Override
    protected Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getPathInfo() == null) {
            response.sendRedirect("/ui/");
            return;
        }
        String name = tail(request).isEmpty() ? "index.html" : tail(request);
        String type = FILES.get(name);
        if (type == null) {
            throw new ApiError(404, "not_found", "no page file '" + name + "'");
        }
        try (InputStream in = WebPageServlet.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new ApiError(404, "not_found", "no page file '" + name + "'");
            }
            response.setStatus(200);
            response.setContentType(type);
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("Content-Security-Policy", "default-src 'self'");
            in.transferTo(response.getOutputStream());
        }
    }
}
