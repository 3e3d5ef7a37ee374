package dev.penwright.engine.internal;

import java.util.Objects;
import java.util.function.Function;

import dev.penwright.engine.LanguageModel;

/**
 * The decoder inside a {@link LanguageModel}, for the engine's own packages that need it beyond the exported API
 * (the training package's {@code TrainingAccess}). {@code LanguageModel} hands over its accessor when its class is
 * initialised, so every model that exists can be asked; this package is not exported, so nothing outside the engine
 * bundle reaches it, and {@code LanguageModel} does not publish its {@link Transformer}.
 */
public final class ModelInternals {
    private static volatile Function<LanguageModel, Transformer> transformers;

    private ModelInternals() {
    }

    /** Called once, by {@code LanguageModel}'s static initialiser. */
    public static void transformers(Function<LanguageModel, Transformer> accessor) {
        if (transformers != null) {
            throw new IllegalStateException("the LanguageModel accessor is already set");
        }
        transformers = Objects.requireNonNull(accessor);
    }

    /** The model's decoder: its weights as the forward pass reads them. */
    public static Transformer transformer(LanguageModel model) {
        return transformers.apply(Objects.requireNonNull(model));
    }
}
