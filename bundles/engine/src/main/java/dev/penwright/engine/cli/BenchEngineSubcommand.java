package dev.penwright.engine.cli;

import java.io.PrintStream;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.cli.Subcommand;

/** {@code ./penwright bench engine [--model DIR | --shape NAME] [--threads N] [--json]}. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=bench engine")
public class BenchEngineSubcommand implements Subcommand {
    @Override
    public String name() {
        return "bench engine";
    }

    @Override
    public String summary() {
        return "Measure the engine: decode tok/s at batch 1 and 8, with 8 adapters, prefill tok/s, peak RSS";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return EngineSubcommands.run(BenchEngineCommand::new, args, out, err);
    }
}
