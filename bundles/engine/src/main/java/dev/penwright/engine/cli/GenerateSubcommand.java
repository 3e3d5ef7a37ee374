package dev.penwright.engine.cli;

import java.io.PrintStream;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.engine.Engine;

/** {@code ./penwright generate --model DIR [--adapter DIR] --prompt-ids 1,2,3 | --prompt TEXT …}. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=generate")
public class GenerateSubcommand implements Subcommand {
    private final Engine engine;

    @Activate
    public GenerateSubcommand(@Reference Engine engine) {
        this.engine = engine;
    }

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "Generate token ids and log-probs (or text) from a model folder, optionally with a LoRA adapter";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return EngineSubcommands.run(o -> new GenerateCommand(engine, o), args, out, err);
    }
}
