package dev.penwright.engine.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.cli.Subcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./penwright bench training [--model DIR | --shape S --dtype D] [--tokens N] [--json]}. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=bench training")
public class BenchTrainingSubcommand implements Subcommand {
    @Override
    public String name() {
        return "bench training";
    }

    @Override
    public String summary() {
        return "Measure LoRA training steps as train style takes them: tokens/s, share of SGEMM, peak RSS";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return EngineSubcommands.run(o -> new BenchTraining(o, err), args, out, err);
    }

    @Command(name = "bench training", mixinStandardHelpOptions = true,
            description = "LoRA training steps (rank --rank on every projection) as train style takes them, "
                    + "recomputing activations when a step's graph would be large: tokens/s, FLOPs a token, the share "
                    + "of this machine's measured SGEMM rate, peak RSS.")
    static final class BenchTraining implements Callable<Integer> {
        private final PrintWriter out;
        private final PrintStream err;

        @Option(names = "--model", description = "A model folder (HF layout); default a random --shape checkpoint.")
        Path model;

        @Option(names = "--shape", defaultValue = "qwen2.5-0.5b", description = "d512-l8 or qwen2.5-0.5b (default).")
        String shape;

        @Option(names = "--dtype", defaultValue = "BF16", description = "F32, F16 or BF16 (default BF16).")
        String dtype;

        @Option(names = "--tokens", defaultValue = "512", description = "Tokens a step (default 512).")
        int tokens;

        @Option(names = "--rank", defaultValue = "16", description = "LoRA rank (default 16).")
        int rank;

        @Option(names = "--steps", defaultValue = "3", description = "Measured steps after one warm-up (default 3).")
        int steps;

        @Option(names = "--json", description = "One JSON object instead of lines.")
        boolean json;

        BenchTraining(PrintWriter out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            Map<String, Object> figures = new TrainingBench(shape, dtype, tokens, rank, steps,
                    line -> err.println("bench training: " + line)).run(model);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(figures));
            } else {
                figures.forEach((k, v) -> out.println(k + ": " + v));
            }
            return 0;
        }
    }
}
