package dev.penwright.api.generate;

import java.util.concurrent.CompletionStage;

import dev.penwright.api.style.TokenListener;
import org.osgi.annotation.versioning.ProviderType;

/** The whole flow: plan, style, evaluate. */
@ProviderType
public interface GenerationService {
    /** Runs the request; {@code listener} sees the text as it is written (may be {@link TokenListener#NONE}). */
    CompletionStage<GenerationResult> generate(GenerationRequest request, TokenListener listener);
}
