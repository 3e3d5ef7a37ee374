package dev.penwright.engine.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.engine.ModelConversion;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./penwright convert --model DIR --dtype F16 --out DIR}: a model folder stored in another float type. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=convert")
public class ConvertSubcommand implements Subcommand {
    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "Copy a model or adapter folder with its weights stored as F32, F16 or BF16 (computation stays F32)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return EngineSubcommands.run(Convert::new, args, out, err);
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Copy a model folder (--model) or a PEFT adapter folder (--adapter) with its weights stored as "
                    + "F32, F16 or BF16 (computation stays F32).")
    static final class Convert implements Callable<Integer> {
        private final PrintWriter out;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--model", required = true, description = "A model folder (HF layout).")
            Path model;

            @Option(names = "--adapter", required = true, description = "A PEFT adapter folder (a style pack's style/).")
            Path adapter;
        }

        @Option(names = "--dtype", defaultValue = "F16", description = "F32, F16 or BF16 (default F16).")
        String dtype;

        @Option(names = "--out", required = true, description = "The folder to write (for an adapter, may be the same).")
        Path target;

        Convert(PrintWriter out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            int tensors = source.model != null ? ModelConversion.convert(source.model, target, dtype)
                    : ModelConversion.convertAdapter(source.adapter, target, dtype);
            out.println("wrote " + tensors + " tensors as " + dtype + " to " + target);
            return 0;
        }
    }
}
