package dev.penwright.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.service.ServicesById;
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
 * {@code POST /v1/evaluate}: {@code {"items": [{id, hypothesis, reference, plan, material, style, language}],
 * "evaluators": [ids]}} (all installed evaluators when none are named). Each evaluator scores the items it accepts.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/v1/evaluate")
public final class EvaluateServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final int MAX_ITEMS = 10_000;
    private final transient ServicesById<Evaluator> evaluators = new ServicesById<>(Evaluator.ID, Evaluator::id);
    private final transient ServerSettings settings;

    @Activate
    public EvaluateServlet(@Reference ServerSettings settings) {
        this.settings = settings;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addEvaluator(Evaluator evaluator, Map<String, Object> properties) {
        evaluators.bind(evaluator, properties);
    }

    void removeEvaluator(Evaluator evaluator, Map<String, Object> properties) {
        evaluators.unbind(evaluator, properties);
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET", "POST");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        if (method.equals("GET")) {
            JsonResponses.write(response, 200, Map.of("evaluators", evaluators.ids()));
            return;
        }
        JsonNode body = readJson(request, settings.limits().maxRequestBytes());
        JsonNode items = body.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw ApiError.badRequest("give \"items\": a non-empty array of {id, hypothesis, reference, plan,"
                    + " material, style, language}");
        }
        if (items.size() > MAX_ITEMS) {
            throw ApiError.badRequest("at most " + MAX_ITEMS + " items per request");
        }
        List<EvaluationInput> inputs = new ArrayList<>();
        int n = 0;
        for (JsonNode item : items) {
            n++;
            if (!item.isObject()) {
                throw ApiError.badRequest("items[" + (n - 1) + "] must be an object");
            }
            String hypothesis = Requests.text(item, "hypothesis", null);
            if (hypothesis == null) {
                throw ApiError.badRequest("items[" + (n - 1) + "] needs a \"hypothesis\" (the text to score)");
            }
            inputs.add(new EvaluationInput(Requests.text(item, "id", Integer.toString(n)), hypothesis,
                    Requests.text(item, "reference", null), Requests.plan(item), Requests.material(item),
                    Requests.text(item, "style", null), Requests.text(item, "language", "")));
        }
        List<String> wanted = Requests.texts(body, "evaluators");
        if (wanted.isEmpty()) {
            wanted = evaluators.ids();
        }
        Map<String, Object> results = new LinkedHashMap<>();
        for (String id : wanted) {
            Evaluator evaluator = evaluators.find(id).orElse(null);
            if (evaluator == null) {
                throw new ApiError(404, "evaluator_not_found", "no evaluator '" + id + "' (installed: "
                        + String.join(", ", evaluators.ids()) + ")");
            }
            List<EvaluationInput> accepted = inputs.stream().filter(evaluator::accepts).toList();
            if (accepted.isEmpty()) {
                results.put(id, Map.of("skipped", "no item has what " + id + " needs"));
                continue;
            }
            Evaluation evaluation = evaluator.evaluate(accepted);
            List<Map<String, Object>> perItem = new ArrayList<>();
            for (int i = 0; i < accepted.size(); i++) {
                perItem.add(Map.of("id", accepted.get(i).id(), "scores", evaluation.perItem().get(i)));
            }
            results.put(id, Map.of("corpus", evaluation.corpus(), "items", perItem));
        }
        JsonResponses.write(response, 200, Map.of("evaluations", results));
    }
}
