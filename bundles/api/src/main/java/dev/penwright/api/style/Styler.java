package dev.penwright.api.style;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** Renders a content plan in a style with the small model. */
@ProviderType
public interface Styler {
    /** Queues the request into the engine's running batch; completes when the text is done. */
    CompletionStage<StyledText> style(StyleRequest request, TokenListener listener);

    /** How many LoRA adapters the engine holds in memory now (packs' adapters, dropped as their versions go). */
    default int adaptersLoaded() {
        return 0;
    }
}
