package dev.penwright.api.generate;

import java.util.concurrent.CompletionStage;

import dev.penwright.api.style.TokenListener;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The whole flow: plan, style, evaluate. A request that cannot be served completes exceptionally with a
 * {@link GenerationException} naming why.
 */
@ProviderType
public interface GenerationService {
    /** Runs the request; {@code listener} sees the text as it is written (may be {@link TokenListener#NONE}). */
    CompletionStage<GenerationResult> generate(GenerationRequest request, TokenListener listener);

    /**
     * How busy the service is. Cancelling the stage {@link #generate} returned frees the request's slot.
     *
     * @since 1.1
     */
    default QueueStatus queueStatus() {
        return QueueStatus.UNKNOWN;
    }

    /** The embedded planner's id: the default planner of a service that is not configured otherwise. */
    String DEFAULT_PLANNER = "extractive";

    /**
     * The planner a request that names none is planned with (the pipeline's configured default).
     *
     * @since 1.4
     */
    default String defaultPlannerId() {
        return DEFAULT_PLANNER;
    }
}
