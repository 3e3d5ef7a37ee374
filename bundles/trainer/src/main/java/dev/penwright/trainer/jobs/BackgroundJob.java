package dev.penwright.trainer.jobs;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.api.train.TrainingJob;
import dev.penwright.api.train.TrainingSpec;

/** A queued, running or finished job of {@link TrainerService}. */
final class BackgroundJob implements TrainingJob {
    private final String id;
    private final TrainingSpec spec;
    private final CompletableFuture<Path> result = new CompletableFuture<>();
    private volatile JobProgress progress;
    private volatile boolean cancelled;

    BackgroundJob(String id, TrainingSpec spec) {
        this.id = id;
        this.spec = spec;
        this.progress = new JobProgress(id, JobState.QUEUED, "queued", 0, 0, Double.NaN, 0, 0, -1, "");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public TrainingSpec spec() {
        return spec;
    }

    @Override
    public JobProgress progress() {
        return progress;
    }

    void progress(JobProgress p) {
        progress = p;
    }

    @Override
    public CompletionStage<Path> result() {
        return result.minimalCompletionStage();
    }

    CompletableFuture<Path> future() {
        return result;
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    boolean isCancelled() {
        return cancelled;
    }
}
