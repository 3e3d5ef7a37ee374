package dev.penwright.engine.styler;

import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.Engine;

/** The Styler service on the engine: base models from the {@link ModelCatalog}, adapters from the packs. */
@Component(service = Styler.class, configurationPid = "dev.penwright.engine.styler")
@Designate(ocd = EngineStyler.Config.class)
public class EngineStyler implements Styler {
    @ObjectClassDefinition(name = "Penwright styler", description = "Renders plans with the small model")
    public @interface Config {
        @AttributeDefinition(description = "Base model id used when a request has no style pack; empty: the only "
                + "installed model, if there is exactly one")
        String defaultModel() default "";
    }

    private final Engine engine;
    private final ModelCatalog catalog;
    private volatile StyleRenderer renderer;

    @Activate
    public EngineStyler(@Reference Engine engine, @Reference ModelCatalog catalog, Config config) {
        this.engine = engine;
        this.catalog = catalog;
        configure(config);
    }

    @Modified
    void configure(Config config) {
        StyleRenderer.Models models = new StyleRenderer.Models() {
            @Override
            public BaseModelInfo find(String id) {
                return catalog.find(id).orElse(null);
            }

            @Override
            public BaseModelInfo sole() {
                var all = catalog.models();
                return all.size() == 1 ? all.get(0) : null;
            }
        };
        renderer = new StyleRenderer(engine, models, config.defaultModel());
    }

    @Override
    public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
        return renderer.style(request, listener);
    }

    @Override
    public int adaptersLoaded() {
        return engine.adaptersLoaded();
    }
}
