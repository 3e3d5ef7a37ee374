package dev.penwright.trainer.loop;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;

/**
 * What a training run reports to and is stopped by: its job id, the progress sink and the cancel flag. Phases take
 * it instead of the three values apiece, so a phase's signature says what it trains, not how it is watched.
 */
public record RunControl(String jobId, Consumer<JobProgress> sink, BooleanSupplier cancelFlag) {
    public RunControl {
        sink = sink == null ? p -> { } : sink;
        cancelFlag = cancelFlag == null ? () -> false : cancelFlag;
    }

    /** A message without step figures (the phase is not in an optimisation loop). */
    public void note(String phase, String message) {
        sink.accept(new JobProgress(jobId, JobState.RUNNING, phase, 0, 0, Double.NaN, 0, 0, -1, message));
    }

    public boolean cancelled() {
        return cancelFlag.getAsBoolean();
    }

    /** Stops the run between phases: what a cancelled phase wrote is not a pack worth finishing. */
    public void checkCancelled() throws IOException {
        if (cancelled()) {
            throw new IOException("cancelled");
        }
    }
}
