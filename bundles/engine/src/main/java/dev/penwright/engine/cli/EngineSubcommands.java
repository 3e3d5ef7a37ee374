package dev.penwright.engine.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

import picocli.CommandLine;

/** Runs a picocli command object on the given streams; errors become a message and status, not a stack trace. */
final class EngineSubcommands {
    private EngineSubcommands() {
    }

    static int run(Function<PrintWriter, Object> command, List<String> args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(command.apply(o));
        cl.setOut(o);
        cl.setErr(e);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        int status = cl.execute(args.toArray(String[]::new));
        o.flush();
        e.flush();
        return status;
    }
}
