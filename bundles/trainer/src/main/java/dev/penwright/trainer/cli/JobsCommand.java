package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.Trainer;
import dev.penwright.api.train.TrainingJob;
import dev.penwright.trainer.jobs.ProgressPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jobs}: the background training jobs and where each stands; {@code --cancel ID} stops one. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=jobs")
public final class JobsCommand extends PicocliSubcommand {
    private final Trainer trainer;

    @Activate
    public JobsCommand(@Reference Trainer trainer) {
        this.trainer = trainer;
    }

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out, PrintStream err) {
        return new Jobs(out, err);
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true,
            description = "List background training jobs (pen:train … --background) with their progress.")
    final class Jobs implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--cancel", paramLabel = "ID", description = "Cancel a job.")
        String cancel;
        @Option(names = "--json", description = "One JSON array of jobs.")
        boolean json;

        Jobs(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            if (cancel != null) {
                var job = trainer.job(cancel);
                if (job.isEmpty()) {
                    err.println("jobs: no job " + cancel);
                    return 1;
                }
                job.get().cancel();
                out.println("cancelling " + cancel);
                return 0;
            }
            List<TrainingJob> jobs = trainer.jobs();
            if (json) {
                ArrayNode a = new ObjectMapper().createArrayNode();
                for (TrainingJob j : jobs) {
                    ObjectNode n = ProgressPrinter.toJson(j.progress());
                    n.put("kind", j.spec().kind().name());
                    n.put("id", j.spec().id());
                    n.put("out", String.valueOf(j.spec().outputDir()));
                    a.add(n);
                }
                out.println(a);
                return 0;
            }
            if (jobs.isEmpty()) {
                out.println("no training jobs");
                return 0;
            }
            for (TrainingJob j : jobs) {
                JobProgress p = j.progress();
                out.printf("%-10s %-9s %-6s %-12s %s%n", j.id(), p.state(), j.spec().kind(), j.spec().id(),
                        p.state().isFinal() || p.step() == 0 ? p.message() : ProgressPrinter.bar(p));
            }
            return 0;
        }
    }
}
