package dev.penwright.api.train;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/** Runs training jobs in the background. */
@ProviderType
public interface Trainer {
    /**
     * Starts a job in the background.
     *
     * @throws IllegalArgumentException when the spec cannot run as given (an unknown option, for one), before any job
     *                                  exists; the message says what is wrong
     */
    TrainingJob submit(TrainingSpec spec, Consumer<JobProgress> listener);

    List<TrainingJob> jobs();

    Optional<TrainingJob> job(String id);
}
