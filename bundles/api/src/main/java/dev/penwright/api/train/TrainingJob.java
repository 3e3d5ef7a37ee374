package dev.penwright.api.train;

import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** A running or finished training job. */
@ProviderType
public interface TrainingJob {
    String id();

    TrainingSpec spec();

    JobProgress progress();

    /** Completes with the produced artifact: a style-pack jar or a model folder. */
    CompletionStage<Path> result();

    void cancel();
}
