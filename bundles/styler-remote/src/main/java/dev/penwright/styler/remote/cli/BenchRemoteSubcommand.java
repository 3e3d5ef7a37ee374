package dev.penwright.styler.remote.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.penwright.api.cli.Subcommand;
import org.osgi.service.component.annotations.Component;
import picocli.CommandLine;

/** {@code ./penwright bench remote --via URL --direct URL --style ID [--clients 1,8] [--json]}. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=bench remote")
public final class BenchRemoteSubcommand implements Subcommand {
    @Override
    public String name() {
        return "bench remote";
    }

    @Override
    public String summary() {
        return "Measure one hop: rendering through a node (A -> B) against rendering on the backend B directly";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new BenchRemoteCommand(o));
        cl.setOut(o);
        cl.setErr(e);
        int status = cl.execute(args.toArray(String[]::new));
        o.flush();
        e.flush();
        return status;
    }
}
