package dev.penwright.server;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.service.ServicesById;
import dev.penwright.api.plan.PlanningException;
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
 * {@code POST /v1/plan}: {@code {"material", "planner"}} to a {@link ContentPlan}; {@code GET /v1/plan} lists the
 * installed planners.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/v1/plan")
public final class PlanServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServicesById<Planner> planners = new ServicesById<>(Planner.ID, Planner::id);
    private final transient ServerSettings settings;
    /**
     * The pipeline, whose configuration names the default planner (the one /v1/generate plans with). Optional and
     * dynamic: /v1/plan serves before the pipeline is up (a mandatory reference left it 404 at startup), and keeps
     * serving while the pipeline bundle is updated.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient GenerationService generation;

    @Activate
    public PlanServlet(@Reference ServerSettings settings) {
        this.settings = settings;
    }

    /** The pipeline's default planner, or the embedded one while no pipeline is bound. */
    String defaultPlanner() {
        GenerationService g = generation;
        return g == null ? GenerationService.DEFAULT_PLANNER : g.defaultPlannerId();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPlanner(Planner planner, Map<String, Object> properties) {
        planners.bind(planner, properties);
    }

    void removePlanner(Planner planner, Map<String, Object> properties) {
        planners.unbind(planner, properties);
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET", "POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        if (method.equals("GET")) {
            JsonResponses.write(response, 200, Map.of("planners", planners.ids(),
                    "default", defaultPlanner()));
            return;
        }
        JsonNode body = readJson(request, settings.limits().maxRequestBytes());
        Requests.onlyKnown(body, "", Set.of("material", "planner"));
        Material material = Requests.material(body);
        if (material == null || material.isEmpty()) {
            throw ApiError.badRequest("give \"material\": a text, or {brief, facts, sourceArticle, language}");
        }
        String id = Requests.text(body, "planner", defaultPlanner());
        Planner planner = planners.find(id).orElse(null);
        if (planner == null) {
            throw new ApiError(404, "planner_not_found", "no planner '" + id + "' (installed: "
                    + String.join(", ", planners.ids()) + ")");
        }
        long started = System.nanoTime();
        ContentPlan plan;
        try {
            plan = planner.plan(material);
        } catch (PlanningException e) {
            throw new ApiError(422, "planning_failed", e.getMessage());
        }
        JsonResponses.write(response, 200, Map.of("plan", plan,
                "millis", (System.nanoTime() - started) / 1_000_000));
    }
}
