package dev.penwright.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.serve.AdapterServing;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * vLLM's runtime LoRA API, so that another Penwright (or any tool written for vLLM) can provision adapters here:
 * {@code POST /v1/load_lora_adapter {"lora_name", "lora_path"}} and {@code POST /v1/unload_lora_adapter
 * {"lora_name"}}, answered as vLLM answers: 200 with vLLM's plain-text success line, or an error with vLLM's status
 * and message, in the API's JSON error shape whose {@code type} is vLLM's error type. Paths are confined to the
 * engine's adapter roots; beyond loopback the routes need an API key like every {@code /v1} route.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/load_lora_adapter", "/v1/unload_lora_adapter"})
public final class LoraAdaptersServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServerSettings settings;
    private final transient AdapterServing serving;

    @Activate
    public LoraAdaptersServlet(@Reference ServerSettings settings, @Reference AdapterServing serving) {
        this.settings = settings;
        this.serving = serving;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        JsonNode body = readJson(request, settings.limits().maxRequestBytes());
        boolean load = request.getServletPath().equals("/v1/load_lora_adapter");
        String name = Requests.text(body, "lora_name", "");
        try {
            if (load) {
                String path = Requests.text(body, "lora_path", "");
                if (name.isBlank() || path.isBlank()) {
                    throw new GenerationException(GenerationException.INVALID_REQUEST,
                            "Both 'lora_name' and 'lora_path' must be provided.");
                }
                if (Requests.bool(body, "load_inplace") && serving.find(name).isPresent()) {
                    serving.unload(name);
                }
                serving.load(name, toPath(path));
                success(response, "Success: LoRA adapter '" + name + "' added successfully.");
            } else {
                if (name.isBlank()) {
                    throw new GenerationException(GenerationException.INVALID_REQUEST,
                            "'lora_name' needs to be provided to unload a LoRA adapter.");
                }
                serving.unload(name);
                success(response, "Success: LoRA adapter '" + name + "' removed successfully.");
            }
        } catch (GenerationException e) {
            ApiError error = JsonResponses.of(e);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("code", error.code);
            fields.put("message", JsonResponses.withoutPaths(e.getMessage()));
            fields.put("type", switch (e.code()) {
                case AdapterServing.ADAPTER_NOT_FOUND -> "NotFoundError";
                case AdapterServing.PATH_NOT_ALLOWED -> "PermissionDenied";
                default -> "InvalidUserInput";
            });
            String requestId = response.getHeader(JsonResponses.REQUEST_ID);
            if (requestId != null) {
                fields.put("requestId", requestId);
            }
            JsonResponses.write(response, error.status, Map.of("error", fields));
        }
    }

    private static Path toPath(String path) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "lora_path is not a path");
        }
    }

    private static void success(HttpServletResponse response, String line) throws java.io.IOException {
        response.setStatus(200);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(line);
    }
}
