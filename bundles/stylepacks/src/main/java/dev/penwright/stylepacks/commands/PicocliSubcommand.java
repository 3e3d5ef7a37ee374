package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Runs a picocli command object as a {@link Subcommand}: help, usage errors and exit codes as picocli does them. */
abstract class PicocliSubcommand implements Subcommand {
    @Override
    public final int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(newCommand(out));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setCommandName(name());
        // A failure is one line for the user (a bad file, a missing folder); its stack trace goes to the log file.
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            LoggerFactory.getLogger(cmd.getCommand().getClass()).info("{} failed", name(), e);
            err.println(name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return line.execute(args.toArray(String[]::new));
    }

    @Override
    public String summary() {
        CommandLine.Command command = newCommand(System.out).getClass().getAnnotation(CommandLine.Command.class);
        return command == null || command.description().length == 0 ? "" : command.description()[0];
    }

    /** A fresh, annotated picocli command writing to {@code out}. */
    protected abstract Callable<Integer> newCommand(PrintStream out);
}
