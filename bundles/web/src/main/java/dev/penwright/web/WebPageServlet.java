package dev.penwright.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The web page under {@code /web/}: its static files (catalogue, playground, reports; they call only the public
 * {@code /v1} API), and under {@code /web/reports/} the benchmark reports folder: {@code reports/} lists it as JSON,
 * {@code reports/PATH} serves one file. Every link in the page is relative, so configuring
 * {@code osgi.http.whiteboard.servlet.pattern} in this pid mounts it elsewhere. It claims no {@code /v1} route.
 */
@Component(service = Servlet.class, configurationPid = WebPageServlet.PID)
@Designate(ocd = WebConfig.class)
@HttpWhiteboardServletPattern({"/web", "/web/*"})
public final class WebPageServlet extends HttpServlet {
    static final String PID = "dev.penwright.web";
    private static final long serialVersionUID = 1L;
    static final Map<String, String> PAGE_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");
    private static final String REPORTS = "reports/";

    private final transient ReportFolder reports;
    /** How the listing names the folder: relative to the runtime home, never as an absolute server path. */
    private final String reportsName;
    private final transient ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Activate
    public WebPageServlet(BundleContext context, WebConfig config) {
        String home = context.getProperty("penwright.home");
        Path dir = reportsDir(config.reportsDir(), home);
        this.reports = new ReportFolder(dir);
        this.reportsName = displayName(dir, home);
    }

    /**
     * The configured folder, else docs/bench under the runtime home, else the docs/bench beside it (a checkout's
     * runtime/ next to the shipped report); the home is the working directory when there is none.
     */
    static Path reportsDir(String configured, String home) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        Path base = Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
        Path own = base.resolve("docs").resolve("bench");
        Path beside = base.getParent() == null ? own : base.getParent().resolve("docs").resolve("bench");
        return java.nio.file.Files.isDirectory(own) || !java.nio.file.Files.isDirectory(beside) ? own : beside;
    }

    /**
     * The folder as the open listing names it: relative to the home when it is near it ({@code docs/bench},
     * {@code ../docs/bench}), else by its own name only: the listing needs no key, so it tells no server layout.
     */
    static String displayName(Path dir, String home) {
        Path base = Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.getRoot() != null && abs.getRoot().equals(base.getRoot())) {
            Path relative = base.relativize(abs);
            if (!relative.startsWith("../..") && !relative.toString().isEmpty()) {
                return relative.toString().replace('\\', '/');
            }
        }
        return abs.getFileName() == null ? "reports" : abs.getFileName().toString();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.setHeader("Allow", "GET, HEAD");
            error(response, 405, "method_not_allowed", "the web page answers GET only");
            return;
        }
        String info = request.getPathInfo();
        if (info == null) {
            // /web without the slash: relative links need the trailing one.
            response.sendRedirect(request.getContextPath() + request.getServletPath() + "/");
            return;
        }
        String tail = info.substring(1);
        if (tail.equals("reports") || tail.startsWith(REPORTS)) {
            report(tail.equals("reports") ? "" : tail.substring(REPORTS.length()), response);
            return;
        }
        pageFile(tail.isEmpty() ? "index.html" : tail, response);
    }

    private void pageFile(String name, HttpServletResponse response) throws IOException {
        String type = PAGE_FILES.get(name);
        InputStream in = type == null ? null : WebPageServlet.class.getResourceAsStream("/web/" + name);
        if (in == null) {
            error(response, 404, "not_found", "the web page has no file '" + name + "'");
            return;
        }
        try (in) {
            response.setStatus(200);
            response.setContentType(type);
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Content-Type-Options", "nosniff");
            // Everything is local (the machine may have no internet): no CDN, no inline script.
            response.setHeader("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; frame-src 'self'; object-src 'none'");
            in.transferTo(response.getOutputStream());
        }
    }

    private void report(String path, HttpServletResponse response) throws IOException {
        if (path.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dir", reportsName);
            body.put("exists", reports.exists());
            body.put("files", reports.list());
            response.setHeader("Cache-Control", "no-cache");
            write(response, 200, body);
            return;
        }
        Optional<Path> file = reports.resolve(path);
        if (file.isEmpty()) {
            // The folder is named by the listing (/web/reports/), not by an error any client can provoke.
            error(response, 404, "report_not_found", "no report file '" + path + "' in the reports folder");
            return;
        }
        response.setStatus(200);
        response.setContentType(ReportFolder.contentType(file.get()));
        response.setContentLengthLong(Files.size(file.get()));
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        // A report is a document of its own: its scripts (charts) may run, but in an opaque origin, away from the API.
        response.setHeader("Content-Security-Policy", "sandbox allow-scripts");
        Files.copy(file.get(), response.getOutputStream());
    }

    private void error(HttpServletResponse response, int status, String code, String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("type", code);
        // The API's filter gives every answer an id (X-Request-Id); an error repeats it, as the API's own do.
        String requestId = response.getHeader("X-Request-Id");
        if (requestId != null) {
            error.put("requestId", requestId);
        }
        write(response, status, Map.of("error", error));
    }

    private void write(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
