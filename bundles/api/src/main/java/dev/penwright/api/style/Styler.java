package dev.penwright.api.style;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Renders a content plan in a style with the small model. The local engine registers one with no
 * {@link #BASE_MODEL} property; a styler that renders elsewhere (a multi-LoRA serving fleet) registers with the base
 * model it serves there, and packs on that base model are rendered through it.
 */
@ProviderType
public interface Styler {
    /**
     * Service property: the id of the base model this styler renders on a remote backend. Packs whose
     * {@code baseModel} equals it go to this styler; absent on the local engine's styler.
     *
     * @since 1.4
     */
    String BASE_MODEL = "penwright.styler.baseModel";

    /** Queues the request into the engine's running batch; completes when the text is done. */
    CompletionStage<StyledText> style(StyleRequest request, TokenListener listener);

    /** How many LoRA adapters the engine holds in memory now (packs' adapters, dropped as their versions go). */
    default int adaptersLoaded() {
        return 0;
    }
}
