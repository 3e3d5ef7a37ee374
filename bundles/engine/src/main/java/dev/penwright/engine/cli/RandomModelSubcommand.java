package dev.penwright.engine.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.internal.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./penwright random-model --shape qwen2.5-0.5b --dtype BF16 --tokenizer FILE --out DIR}: a checkpoint of a
 * named shape with random weights, to try a model size (memory, speed, training) before fetching real weights.
 */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=random-model")
public class RandomModelSubcommand implements Subcommand {
    @Override
    public String name() {
        return "random-model";
    }

    @Override
    public String summary() {
        return "Write a model folder of a named shape with random weights (to measure a size before fetching one)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return EngineSubcommands.run(RandomModel::new, args, out, err);
    }

    @Command(name = "random-model", mixinStandardHelpOptions = true,
            description = "Write a model folder (config.json, model.safetensors) of a named shape with random weights, "
                    + "streamed tensor by tensor, to measure memory, speed and training at that size.")
    static final class RandomModel implements Callable<Integer> {
        private final PrintWriter out;

        @Option(names = "--shape", required = true, description = "d512-l8 or qwen2.5-0.5b.")
        String shape;

        @Option(names = "--dtype", defaultValue = "BF16", description = "F32, F16 or BF16 (default BF16).")
        String dtype;

        @Option(names = "--tokenizer", description = "A tokenizer.json to copy beside the weights (its ids must fit "
                + "the shape's vocabulary), e.g. runtime/models/penwright-base/tokenizer.json.")
        Path tokenizer;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed (default 42).")
        long seed;

        @Option(names = "--out", required = true, description = "The folder to write (must not hold a model).")
        Path target;

        RandomModel(PrintWriter out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            ModelConfig config = BenchShapes.named(shape);
            Safetensors.requireFloatType("--dtype", dtype);
            if (Files.exists(target.resolve("config.json"))) {
                throw new IllegalArgumentException(target + " already holds a model (config.json)");
            }
            Files.createDirectories(target);
            RandomModels.write(target, config, seed, dtype, 1);
            if (tokenizer != null) {
                Files.copy(tokenizer, target.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            out.printf("wrote a random %s in %s (%,d parameters) to %s%n", shape, dtype, config.parameterCount(), target);
            return 0;
        }
    }
}
