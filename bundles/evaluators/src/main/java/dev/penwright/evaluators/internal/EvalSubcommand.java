package dev.penwright.evaluators.internal;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.cli.Subcommand;
import picocli.CommandLine;

/** {@code ./penwright eval --pairs FILE.jsonl [--lang en|zh] [--stem] [--json]}, and {@code pen:eval} in the shell. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=" + EvalSubcommand.NAME)
public class EvalSubcommand implements Subcommand {
    static final String NAME = "eval";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "Score hypotheses against references: corpus BLEU-4 (sacrebleu), ROUGE-L and ROUGE-Lsum (rouge-score)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new EvalCommand(o, e));
        cl.setOut(o);
        cl.setErr(e);
        int status = cl.execute(args.toArray(String[]::new));
        o.flush();
        e.flush();
        return status;
    }
}
