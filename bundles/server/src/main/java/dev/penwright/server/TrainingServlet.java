package dev.penwright.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.Trainer;
import dev.penwright.api.train.TrainingJob;
import dev.penwright.api.train.TrainingKind;
import dev.penwright.api.train.TrainingSpec;
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
 * {@code POST /v1/train} {@code {"kind": "style"|"base", "id", "corpus", "baseModel", "outputDir", "options"}} starts
 * a job on the {@link Trainer}; {@code GET /v1/jobs} lists jobs, {@code GET /v1/jobs/{id}} shows one's progress,
 * {@code DELETE /v1/jobs/{id}} cancels it. Without a trainer installed: 503 {@code no_trainer}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/train", "/v1/jobs", "/v1/jobs/*"})
public final class TrainingServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServerSettings settings;
    private final transient ModelCatalog models;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Trainer trainer;

    @Activate
    public TrainingServlet(@Reference ServerSettings settings, @Reference ModelCatalog models) {
        this.settings = settings;
        this.models = models;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET", "POST", "DELETE");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        boolean train = request.getServletPath().equals("/v1/train");
        String id = tail(request);
        if (train && (!method.equals("POST") || !id.isEmpty())) {
            response.setHeader("Allow", "POST, OPTIONS");
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on /v1/train (POST a job)");
        }
        if (!train && method.equals("POST")) {
            response.setHeader("Allow", "GET, DELETE, OPTIONS");
            throw new ApiError(405, "method_not_allowed", "POST jobs to /v1/train");
        }
        if (!train && method.equals("DELETE") && id.isEmpty()) {
            throw new ApiError(405, "method_not_allowed", "DELETE /v1/jobs/{id} names the job");
        }
        TrainingSpec spec = train ? spec(readJson(request, settings.limits().maxRequestBytes()),
                new TrainingPaths(settings.trainingRoots(), models)) : null;
        Trainer t = trainer;
        if (t == null) {
            throw new ApiError(503, "no_trainer", "no trainer is installed in this runtime (the trainer bundle is"
                    + " missing or stopped)");
        }
        if (train) {
            TrainingJob job;
            try {
                job = t.submit(spec, progress -> { });
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(e.getMessage());
            }
            response.setHeader("Location", "/v1/jobs/" + job.id());
            JsonResponses.write(response, 202, Map.of("job", view(job)));
        } else if (id.isEmpty()) {
            List<Map<String, Object>> jobs = t.jobs().stream().map(TrainingServlet::view).toList();
            JsonResponses.write(response, 200, Map.of("jobs", jobs));
        } else {
            TrainingJob job = t.job(id).orElseThrow(() -> new ApiError(404, "job_not_found", "no job '" + id + "'"));
            if (method.equals("DELETE")) {
                job.cancel();
            }
            JsonResponses.write(response, 200, Map.of("job", view(job)));
        }
    }

    /** Option names whose values are files the trainer reads: held to the same roots as the corpus. */
    static final Set<String> CORPUS_OPTIONS = Set.of("corpora", "preference");

    /** The fields of a /v1/train body; {@code options} are the trainer's to judge. */
    static final Set<String> FIELDS = Set.of("kind", "id", "corpus", "baseModel", "outputDir", "options");

    static TrainingSpec spec(JsonNode body, TrainingPaths paths) {
        Requests.onlyKnown(body, "", FIELDS);
        String kind = Requests.text(body, "kind", "style");
        TrainingKind k;
        try {
            k = TrainingKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("\"kind\" must be \"style\" or \"base\"");
        }
        String id = Requests.text(body, "id", null);
        if (id == null || id.isEmpty()) {
            throw ApiError.badRequest("\"id\" is required: the id of the style pack (or base model) to train, e.g."
                    + " \"house\"");
        }
        if (!PackUpload.STYLE_ID.matcher(id).matches()) {
            throw ApiError.badRequest("\"id\" must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
        }
        String corpus = Requests.text(body, "corpus", null);
        if (corpus == null || corpus.isBlank()) {
            throw ApiError.badRequest("\"corpus\" names the JSONL corpus file on the server");
        }
        Path corpusFile = paths.corpus("corpus", corpus);
        String base = Requests.text(body, "baseModel", null);
        String out = Requests.text(body, "outputDir", null);
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode o = Requests.object(body, "options");
        if (o != null) {
            o.fields().forEachRemaining(f -> {
                if (!f.getValue().isValueNode()) {
                    throw ApiError.badRequest("\"options\" values must be strings, numbers or booleans");
                }
                options.put(f.getKey(), f.getValue().asText());
            });
        }
        // Every path the trainer would read or write is checked here, before a job or a folder exists.
        for (String name : CORPUS_OPTIONS) {
            if (options.containsKey(name)) {
                options.put(name, String.join(",", paths.corpora("options." + name, options.get(name)).stream()
                        .map(Path::toString).toList()));
            }
        }
        if (options.containsKey("init")) {
            options.put("init", paths.model("options.init", options.get("init")).toString());
        }
        Path baseModel = base == null ? null : paths.model("baseModel", base);
        return new TrainingSpec(k, id, corpusFile, baseModel, paths.output(out, id), options);
    }

    static Map<String, Object> view(TrainingJob job) {
        JobProgress p = job.progress();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", job.id());
        v.put("kind", job.spec().kind().name().toLowerCase(java.util.Locale.ROOT));
        v.put("target", job.spec().id());
        v.put("state", p.state());
        v.put("phase", p.phase());
        v.put("step", p.step());
        v.put("totalSteps", p.totalSteps());
        v.put("loss", Double.isFinite(p.loss()) ? p.loss() : null);
        v.put("learningRate", p.learningRate());
        v.put("tokensPerSecond", p.tokensPerSecond());
        v.put("etaSeconds", p.etaSeconds());
        // A job's message may name its corpus, checkpoint or output folder: the client gets file names only.
        v.put("message", JsonResponses.withoutPaths(p.message()));
        return v;
    }
}
