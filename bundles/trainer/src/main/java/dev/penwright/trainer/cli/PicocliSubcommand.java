package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import picocli.CommandLine;

/** Runs a picocli command object as a {@link Subcommand}: help, usage errors and exit codes as picocli does them. */
abstract class PicocliSubcommand implements Subcommand {
    @Override
    public final int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(newCommand(out, err));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setCommandName(name());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println(name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return line.execute(args.toArray(String[]::new));
    }

    @Override
    public String summary() {
        CommandLine.Command c = newCommand(System.out, System.err).getClass().getAnnotation(CommandLine.Command.class);
        return c == null || c.description().length == 0 ? "" : c.description()[0];
    }

    protected abstract Callable<Integer> newCommand(PrintStream out, PrintStream err);
}
