package dev.penwright.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.serve.AdapterServing;
import dev.penwright.api.serve.LoadedAdapter;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
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
 * {@code GET /v1/models} (OpenAI): the base models and every active style, a style with its base model as
 * {@code parent}, as LoRAX and vLLM list adapters, and the adapters loaded through {@code /v1/load_lora_adapter}. {@code GET /v1/models/{id}}: one.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/v1/models", "/v1/models/*"})
public final class ModelsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient ModelCatalog models;
    private final transient StylePackRegistry styles;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile AdapterServing serving;

    @Activate
    public ModelsServlet(@Reference ModelCatalog models, @Reference StylePackRegistry styles) {
        this.models = models;
        this.styles = styles;
    }

    @Override
    protected Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    protected void handle(String method, HttpServletRequest request, HttpServletResponse response) throws Exception {
        List<Map<String, Object>> all = list(models, styles);
        AdapterServing adapters = serving;
        if (adapters != null) {
            for (LoadedAdapter a : adapters.adapters()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", a.name());
                e.put("object", "model");
                e.put("created", a.loadedAt().getEpochSecond());
                e.put("owned_by", "penwright");
                // vLLM puts the adapter's path here; a Penwright answer names no server path.
                e.put("root", a.baseModel());
                e.put("parent", a.baseModel());
                all.add(e);
            }
        }
        String id = tail(request);
        if (id.isEmpty()) {
            JsonResponses.write(response, 200, Map.of("object", "list", "data", all));
            return;
        }
        Optional<Map<String, Object>> one = all.stream().filter(m -> m.get("id").equals(id)).findFirst();
        if (one.isEmpty()) {
            throw new ApiError(404, "model_not_found", "no model or style '" + id + "'");
        }
        JsonResponses.write(response, 200, one.get());
    }

    static List<Map<String, Object>> list(ModelCatalog models, StylePackRegistry styles) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BaseModelInfo m : models.models()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", m.id());
            e.put("object", "model");
            e.put("created", 0);
            e.put("owned_by", "penwright");
            e.put("root", m.id());
            e.put("parent", null);
            e.put("architecture", m.architecture());
            e.put("parameters", m.parameters());
            out.add(e);
        }
        for (StylePackEntry s : styles.entries()) {
            if (s.state() != StylePackState.ACTIVE) {
                continue;
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", s.id());
            e.put("object", "model");
            e.put("created", s.since().getEpochSecond());
            e.put("owned_by", "penwright");
            e.put("root", s.baseModel());
            e.put("parent", s.baseModel());
            e.put("version", s.version());
            e.put("name", s.name());
            e.put("language", s.language());
            out.add(e);
        }
        return out;
    }
}
