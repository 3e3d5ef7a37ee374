package dev.penwright.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
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

/**
 * {@code POST /v1/generate}: {@code {"style", "material" | "plan", "planner", "options", "bestOf", "stream"}}. The
 * answer is the {@link GenerationResult}; with {@code "stream": true} it is server-sent events: {@code token} events
 * with the text as it is written, then one {@code result} (or {@code error}) event.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/v1/generate")
public final class GenerateServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServerSettings settings;
    private final transient Metrics metrics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile GenerationService generation;

    /** The fields of a request body. */
    static final Set<String> FIELDS = Set.of("style", "material", "plan", "planner", "options", "bestOf", "stream");

    @Activate
    public GenerateServlet(@Reference ServerSettings settings, @Reference Metrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        ServerSettings.Limits limits = settings.limits();
        JsonNode body = readJson(request, limits.maxRequestBytes());
        Requests.onlyKnown(body, "", FIELDS);
        GenerationRequest generate = new GenerationRequest(Requests.text(body, "style", ""), Requests.material(body),
                Requests.plan(body), Requests.text(body, "planner", ""),
                Requests.options(Requests.object(body, "options"), limits.maxTokens()),
                bestOf(body));
        boolean stream = Requests.bool(body, "stream");
        GenerationService service = require(generation);
        Generations.Started started = Generations.start(service, generate, stream);
        Throwable refused = started.immediateFailure();
        if (refused != null || !stream) {
            GenerationResult result = started.await(metrics);
            JsonResponses.write(response, 200, result);
            return;
        }
        Sse sse = Sse.open(response);
        try {
            GenerationResult result = started.stream(new Generations.Sink() {
                public void text(String piece) throws IOException {
                    sse.event("token", Map.of("text", piece));
                }

                public void heartbeat() throws IOException {
                    sse.comment("keep-alive");
                }
            }, metrics);
            sse.event("result", result);
        } catch (IOException | InterruptedException gone) {
            // The client left; the generation is cancelled and there is no one to answer.
        } catch (Exception e) {
            ApiError error = toApiError(e);
            sse.event("error", JsonResponses.errorBody(error.code, error.getMessage()));
        }
    }

    static int bestOf(JsonNode body) {
        Integer k = Requests.integer(body, "bestOf");
        if (k != null && k < 1) {
            throw ApiError.badRequest("\"bestOf\" must be at least 1");
        }
        return k == null ? 1 : k;
    }

    static GenerationService require(GenerationService service) {
        if (service == null) {
            throw new ApiError(503, "no_pipeline", "the generation pipeline bundle is not running");
        }
        return service;
    }

    /** Server-sent events on a response. */
    static final class Sse {
        private final OutputStream out;

        private Sse(OutputStream out) {
            this.out = out;
        }

        static Sse open(HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            Sse sse = new Sse(response.getOutputStream());
            response.flushBuffer();
            return sse;
        }

        void event(String name, Object data) throws IOException {
            String json = JsonResponses.JSON.writeValueAsString(data);
            write((name == null ? "" : "event: " + name + "\n") + "data: " + json + "\n\n");
        }

        void data(String raw) throws IOException {
            write("data: " + raw + "\n\n");
        }

        void comment(String text) throws IOException {
            write(": " + text + "\n\n");
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
