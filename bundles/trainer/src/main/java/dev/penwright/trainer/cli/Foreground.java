package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.api.train.JobState;
import dev.penwright.api.train.TrainingJob;
import dev.penwright.api.train.TrainingSpec;
import dev.penwright.trainer.jobs.JobRunner;
import dev.penwright.trainer.jobs.ProgressPrinter;
import dev.penwright.trainer.jobs.TrainerService;

/** Runs a spec in the foreground (the command line) or hands it to the background trainer (the shell). */
final class Foreground {
    private Foreground() {
    }

    static int run(TrainerService trainer, TrainingSpec spec, boolean background, boolean json, PrintStream out,
                   PrintStream err) throws Exception {
        if (background) {
            TrainingJob job = trainer.submit(spec, null);
            if (json) {
                ObjectNode n = new ObjectMapper().createObjectNode();
                n.put("job", job.id());
                n.put("state", JobState.QUEUED.name());
                out.println(n);
            } else {
                out.println("job " + job.id() + " queued; follow it with: jobs (pen:jobs)");
            }
            return 0;
        }
        ProgressPrinter printer = new ProgressPrinter(json ? out : err, json);
        Path result = JobRunner.run(spec, "foreground", trainer.planner(spec.options().getOrDefault("planner", "")),
                trainer.deployDir(), printer, () -> Thread.currentThread().isInterrupted());
        printer.finish();
        if (json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("state", JobState.SUCCEEDED.name());
            n.put("result", result.toString());
            out.println(n);
        } else {
            out.println("wrote " + result);
        }
        return 0;
    }
}
