package dev.penwright.api.train;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/** Runs training jobs in the background. */
@ProviderType
public interface Trainer {
    TrainingJob submit(TrainingSpec spec, Consumer<JobProgress> listener);

    List<TrainingJob> jobs();

    Optional<TrainingJob> job(String id);
}
