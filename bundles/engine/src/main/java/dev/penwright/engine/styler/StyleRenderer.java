package dev.penwright.engine.styler;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;

/**
 * Renders a plan with a pack: its base model (found by id), its adapter (the pack's folder), its prompt template
 * and its sampling defaults; the request joins the model's running batch. Plain Java, so tests run it directly.
 */
public final class StyleRenderer {
    /** Finds a base model by id. */
    @FunctionalInterface
    public interface Models {
        BaseModelInfo find(String id);

        /** The model to use when neither the request nor the configuration names one: the only one installed. */
        default BaseModelInfo sole() {
            return null;
        }
    }

    private final Engine engine;
    private final Models models;
    private final String defaultModel;

    public StyleRenderer(Engine engine, Models models, String defaultModel) {
        this.engine = engine;
        this.models = models;
        this.defaultModel = defaultModel;
    }

    public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
        try {
            return start(request, listener == null ? TokenListener.NONE : listener);
        } catch (GenerationException e) {
            return CompletableFuture.failedFuture(e);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new GenerationException(GenerationException.UNAVAILABLE,
                    "cannot load the model or adapter: " + e.getMessage(), 0, e));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedFuture(new GenerationException(GenerationException.INVALID_REQUEST,
                    e.getMessage(), 0, e));
        }
    }

    private CompletionStage<StyledText> start(StyleRequest request, TokenListener listener) throws IOException {
        if (request == null || request.plan() == null) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "no plan to render");
        }
        StylePack pack = request.pack();
        StyleDescriptor style = pack == null ? null : pack.descriptor();
        String modelId = style == null || style.baseModel() == null || style.baseModel().isBlank() ? defaultModel : style.baseModel();
        BaseModelInfo info;
        if (modelId == null || modelId.isBlank()) {
            info = models.sole();
            if (info == null) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "no base model: the request has no style"
                        + " pack, no default model is configured, and not exactly one model is installed");
            }
            modelId = info.id();
        } else {
            info = models.find(modelId);
        }
        if (info == null) {
            throw new GenerationException(GenerationException.UNAVAILABLE, "base model '" + modelId + "' is not in the model catalog");
        }
        if (style != null && style.baseModelFingerprint() != null && !style.baseModelFingerprint().isBlank()
                && info.fingerprint() != null && !info.fingerprint().isBlank()
                && !style.baseModelFingerprint().equals(info.fingerprint())) {
            throw new GenerationException(GenerationException.UNAVAILABLE, "style pack " + pack.ref() + " was trained on "
                    + modelId + " with fingerprint " + style.baseModelFingerprint() + ", but the model found has "
                    + info.fingerprint());
        }
        LanguageModel model = engine.model(info.directory());
        LoraAdapter adapter = pack == null ? null : engine.adapter(model, pack.directory());
        String prompt = PromptTemplate.of(style).render(request.plan());
        long[] ids = model.encode(prompt);
        GenerationOptions options = (request.options() == null ? GenerationOptions.UNSET : request.options())
                .over(style == null ? null : style.defaults()).over(GenerationOptions.DEFAULTS);
        int room = model.config().maxPositions() - ids.length;
        if (room <= 0) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "the prompt has " + ids.length
                    + " tokens; the model's context is " + model.config().maxPositions());
        }
        if (options.maxNewTokens() > room) {
            // The plan leaves less room than asked for: generate what fits rather than fail.
            options = new GenerationOptions(room, options.temperature(), options.topK(), options.topP(),
                    options.repetitionPenalty(), options.seed(), options.stop());
        }
        String ref = pack == null ? "" : pack.ref();
        return model.submit(new GenerateRequest(ids, options, adapter, (id, lp, text) -> {
            if (!text.isEmpty()) {
                listener.onText(text);
            }
        })).thenApply(g -> new StyledText(g.text() == null ? "" : g.text(), info.id(), ref, g.promptTokens(),
                g.tokenIds().size(), g.finishReason()));
    }
}
