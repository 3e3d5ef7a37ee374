package dev.penwright.trainer.cli;

import java.io.PrintStream;

import dev.penwright.api.train.TrainingSpec;
import dev.penwright.trainer.jobs.TrainerService;
import picocli.CommandLine.Option;

/** How {@code train style} and {@code train base} run their job: here with progress, or queued; text or JSON lines. */
public final class JobOptions {
    @Option(names = "--background", description = "Queue as a background job (see jobs / pen:jobs) and return.")
    boolean background;
    @Option(names = "--json", description = "Progress and result as JSON lines.")
    boolean json;

    int run(TrainerService trainer, TrainingSpec spec, PrintStream out, PrintStream err) throws Exception {
        return Foreground.run(trainer, spec, background, json, out, err);
    }
}
