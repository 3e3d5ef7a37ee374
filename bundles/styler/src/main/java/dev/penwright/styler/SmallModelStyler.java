package dev.penwright.styler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.styler.internal.LoadedModels;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Renders a plan with the small model: the pack's prompt template, its adapter on its base model (loaded once and
 * shared by every pack on that model), its sampling defaults under the request's options. Requests of all packs join
 * the engine's one running batch per base model.
 */
@Component(service = Styler.class, configurationPid = "dev.penwright.styler")
@Designate(ocd = SmallModelStyler.Config.class)
public final class SmallModelStyler implements Styler {
    @ObjectClassDefinition(name = "Penwright styler")
    public @interface Config {
        @AttributeDefinition(description = "Base model for requests with no style pack; empty means the first one "
                + "the catalog lists.")
        String defaultModel() default "";

        @AttributeDefinition(description = "Upper bound on max new tokens, whatever a request asks.")
        int maxNewTokensLimit() default 1024;

        @AttributeDefinition(description = "Adapters kept loaded at once.")
        int maxAdapters() default 32;
    }

    private final ModelCatalog catalog;
    private final Config config;
    private final LoadedModels loaded;

    @Activate
    public SmallModelStyler(@Reference ModelCatalog catalog, Config config) {
        this.catalog = catalog;
        this.config = config;
        this.loaded = new LoadedModels(config.maxAdapters());
    }

    @Deactivate
    void deactivate() {
        loaded.close();
    }

    @Override
    public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
        try {
            StylePack pack = request.pack();
            BaseModelInfo base = baseModel(pack);
            LanguageModel model = loaded.model(base);
            LoraAdapter adapter = pack == null ? null : loaded.adapter(model, pack);
            String prompt = PromptTemplate.of(pack == null ? null : pack.descriptor()).render(request.plan());
            long[] ids = model.encode(prompt, false);
            GenerationOptions options = options(request, pack);
            TokenListener sink = listener == null ? TokenListener.NONE : listener;
            GenerateRequest generate = new GenerateRequest(ids, options, adapter,
                    (id, logprob, delta) -> {
                        if (!delta.isEmpty()) {
                            sink.onText(delta);
                        }
                    });
            String ref = pack == null ? "" : pack.ref();
            return model.submit(generate).thenApply(g -> new StyledText(g.text(), base.id(), ref, g.promptTokens(),
                    g.tokenIds().size(), g.finishReason()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private GenerationOptions options(StyleRequest request, StylePack pack) {
        GenerationOptions defaults = pack == null ? GenerationOptions.UNSET : pack.descriptor().defaults();
        GenerationOptions merged = (request.options() == null ? GenerationOptions.UNSET : request.options())
                .over(defaults).over(GenerationOptions.DEFAULTS);
        List<String> stop = new ArrayList<>(merged.stop() == null ? List.of() : merged.stop());
        if (!stop.contains(PromptTemplate.END)) {
            stop.add(PromptTemplate.END);
        }
        int maxNew = Math.min(merged.maxNewTokens(), config.maxNewTokensLimit());
        return new GenerationOptions(maxNew, merged.temperature(), merged.topK(), merged.topP(),
                merged.repetitionPenalty(), merged.seed(), stop);
    }

    private BaseModelInfo baseModel(StylePack pack) {
        if (pack != null) {
            return catalog.find(pack.descriptor().baseModel()).orElseThrow(() -> new IllegalStateException(
                    "style pack " + pack.ref() + " needs base model '" + pack.descriptor().baseModel()
                            + "', which is not installed"));
        }
        Optional<BaseModelInfo> chosen = config.defaultModel().isBlank()
                ? catalog.models().stream().findFirst() : catalog.find(config.defaultModel());
        return chosen.orElseThrow(() -> new IllegalStateException(config.defaultModel().isBlank()
                ? "no base model installed" : "default base model '" + config.defaultModel() + "' is not installed"));
    }
}
