package dev.penwright.server;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.Deployment;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.stylepacks.DeployFolder;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.PackArchive;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.stylepacks.StylePackLimits;
import dev.penwright.stylepacks.RemoteBaseModels;
import dev.penwright.stylepacks.StylePackValidator;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /v1/styles}: every deployed pack, active or rejected (with the reason); {@code GET /v1/styles/{id}}:
 * one, with its style.json. {@code POST /v1/styles}: upload a pack jar as the body (or as the file part of a
 * multipart form); it is checked (size, entries,
 * paths, inflated size) and validated like the extender does, in a temporary folder, and only then moved into
 * deploy/ in one rename. {@code DELETE /v1/styles/{id}}: removes a pack's jar from deploy/.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/styles", "/v1/styles/*"})
public final class StylesServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Duration VERDICT = Duration.ofSeconds(15);
    private final transient StylePackRegistry styles;
    private final transient ModelCatalog models;
    private final transient ServerSettings settings;
    private final transient Metrics metrics;
    private final transient StylePackLimits packLimits;
    private final transient RemoteBaseModels remoteModels;

    @Activate
    public StylesServlet(@Reference StylePackRegistry styles, @Reference ModelCatalog models,
                         @Reference ServerSettings settings, @Reference Metrics metrics,
                         @Reference StylePackLimits packLimits, @Reference RemoteBaseModels remoteModels) {
        this.styles = styles;
        this.remoteModels = remoteModels;
        this.models = models;
        this.settings = settings;
        this.metrics = metrics;
        this.packLimits = packLimits;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET", "POST", "DELETE");
    }

    @Override
    protected boolean takesJar(String method, HttpServletRequest request) {
        return method.equals("POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        String id = tail(request);
        switch (method) {
            case "GET" -> get(id, response);
            case "POST" -> {
                if (!id.isEmpty()) {
                    throw new ApiError(405, "method_not_allowed", "POST a pack to /v1/styles, not to one style");
                }
                upload(request, response);
            }
            default -> {
                if (id.isEmpty()) {
                    throw new ApiError(405, "method_not_allowed", "DELETE /v1/styles/{id} names the style");
                }
                delete(id, response);
            }
        }
    }

    private void get(String id, HttpServletResponse response) throws Exception {
        if (id.isEmpty()) {
            JsonResponses.write(response, 200, Map.of("styles",
                    styles.entries().stream().map(this::forClient).toList()));
            return;
        }
        StylePackEntry entry = entry(id).orElseThrow(() -> notFound(id));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entry", forClient(entry));
        styles.find(id).map(StylePack::descriptor).ifPresent(d -> body.put("style", d));
        styles.find(id).map(p -> p.directory().resolve("report.json")).filter(Files::isRegularFile).ifPresent(r -> {
            try {
                body.put("report", withoutPaths(JsonResponses.JSON.readTree(r.toFile())));
            } catch (java.io.IOException e) {
                body.put("report", null);
            }
        });
        JsonResponses.write(response, 200, body);
    }

    private void upload(HttpServletRequest request, HttpServletResponse response) throws Exception {
        ServerSettings.Limits limits = settings.limits();
        deployFolder(); // 503 at once when this runtime has no deploy folder
        if (request.getContentLengthLong() > limits.maxUploadBytes()) {
            throw new ApiError(413, "payload_too_large", "the upload exceeds " + limits.maxUploadBytes() + " bytes");
        }
        Path work = Files.createTempDirectory("penwright-upload-");
        try {
            Path jar = work.resolve("upload.jar");
            if (PackUpload.isMultipart(request)) {
                PackUpload.receiveFilePart(request, jar, limits.maxUploadBytes());
            } else {
                PackUpload.receive(request.getInputStream(), jar, limits.maxUploadBytes());
            }
            Path styleDir = Files.createDirectories(work.resolve("style"));
            StylePackJar.Header pack;
            try {
                pack = PackArchive.extractStyle(jar, styleDir, packLimits.limits());
                new StylePackValidator(models, remoteModels).validate(styleDir, pack.styleId());
            } catch (InvalidStylePackException e) {
                metrics.rejectedUpload();
                throw PackUpload.invalid(e.getMessage());
            } catch (ApiError e) {
                metrics.rejectedUpload();
                throw e;
            }
            Deployment deployment = styles.deploy(jar, allowDowngrade(request));
            Optional<StylePackEntry> verdict = within(deployment.verdict(), VERDICT);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("deployedTo", deployment.file().getFileName().toString());
            if (verdict.isEmpty()) {
                body.put("state", "PENDING");
                JsonResponses.write(response, 202, body);
            } else if (verdict.get().state() == StylePackState.REJECTED) {
                throw PackUpload.invalid(verdict.get().reason());
            } else {
                body.put("entry", forClient(verdict.get()));
                JsonResponses.write(response, 201, body);
            }
        } finally {
            PackUpload.deleteTree(work);
        }
    }

    /** {@code ?allowDowngrade=true}: the upload may replace an active pack of a higher version. */
    private static boolean allowDowngrade(HttpServletRequest request) {
        String value = request.getParameter("allowDowngrade");
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.isEmpty() || value.equals("true")) {
            return true;
        }
        throw ApiError.badRequest("allowDowngrade must be true or false");
    }

    /** The stage's value once it completes, or empty when it does not within the timeout. */
    private static <T> Optional<T> within(CompletionStage<T> stage, Duration timeout) throws Exception {
        try {
            return Optional.ofNullable(stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void delete(String id, HttpServletResponse response) throws Exception {
        StylePackEntry entry = entry(id).orElseThrow(() -> notFound(id));
        DeployFolder deploy = deployFolder();
        Path file;
        try {
            URI source = URI.create(entry.source());
            file = "file".equals(source.getScheme()) ? Path.of(source).toAbsolutePath().normalize() : null;
        } catch (IllegalArgumentException e) {
            file = null;
        }
        if (file == null || !file.startsWith(deploy.dir())) {
            throw new ApiError(409, "not_in_deploy_folder", "style pack '" + id + "' was not deployed from the deploy"
                    + " folder and cannot be removed here");
        }
        Files.deleteIfExists(file);
        boolean removed = within(styles.unlisted(id).thenApply(unlisted -> true), VERDICT).orElse(false);
        JsonResponses.write(response, 200, Map.of("deleted", id, "removed", removed));
    }

    private DeployFolder deployFolder() {
        return styles.deployFolder().map(DeployFolder::new).orElseThrow(() -> new ApiError(503, "no_deploy_folder",
                "this runtime has no deploy folder (penwright.deploy)"));
    }

    private Optional<StylePackEntry> entry(String id) {
        return styles.entries().stream().filter(e -> e.id().equals(id)).findFirst();
    }

    private static ApiError notFound(String id) {
        return new ApiError(404, "style_not_found", "no style pack '" + id + "'");
    }

    /**
     * An entry as a client sees it: its source is {@code deploy/<file>} for a pack of the deploy folder and the file
     * name otherwise, and its reason names no server path; where the runtime keeps its files is not the client's
     * business.
     */
    private StylePackEntry forClient(StylePackEntry e) {
        return new StylePackEntry(e.id(), e.version(), e.name(), e.language(), e.baseModel(), e.state(),
                JsonResponses.withoutPaths(e.reason()), clientSource(e.source()), e.since());
    }

    /**
     * A pack's report with every string cut to file names ({@link JsonResponses#withoutPaths}): reports written by
     * earlier trainers name the corpus by its absolute path on the machine that trained it.
     */
    private static JsonNode withoutPaths(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.fields().forEachRemaining(f -> f.setValue(withoutPaths(f.getValue())));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, withoutPaths(array.get(i)));
            }
        } else if (node != null && node.isTextual()) {
            return TextNode.valueOf(JsonResponses.withoutPaths(node.asText()));
        }
        return node;
    }

    private String clientSource(String source) {
        if (source == null) {
            return null;
        }
        try {
            URI uri = URI.create(source);
            if ("file".equals(uri.getScheme())) {
                Path file = Path.of(uri).toAbsolutePath().normalize();
                Path deploy = styles.deployFolder().orElse(null);
                return deploy != null && file.startsWith(deploy)
                        ? "deploy/" + deploy.relativize(file).toString().replace('\\', '/')
                        : String.valueOf(file.getFileName());
            }
        } catch (IllegalArgumentException notAFileUri) {
            // Another kind of bundle location: its paths are cut below.
        }
        return JsonResponses.withoutPaths(source);
    }

    private static boolean sameFile(String source, Path target) {
        try {
            URI uri = URI.create(source);
            return "file".equals(uri.getScheme()) && Path.of(uri).toAbsolutePath().normalize().equals(target);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
