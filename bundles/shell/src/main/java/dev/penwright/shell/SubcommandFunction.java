package dev.penwright.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * {@code pen:<word>} in the Gogo shell: passes its arguments, as text, to the subcommand they name. A non-zero exit
 * status becomes an exception, which is how Gogo reports a failed command.
 */
final class SubcommandFunction implements Function {
    private final String word;
    private final SubcommandIndex index;

    SubcommandFunction(String word, SubcommandIndex index) {
        this.word = word;
        this.index = index;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(word);
        arguments.forEach(a -> argv.add(String.valueOf(a)));
        SubcommandIndex.Match match = index.match(argv).orElseThrow(() -> new IllegalArgumentException(
                "pen:" + word + ": expected one of " + index.namesStartingWith(word)));
        PrintStream out = session.getConsole() != null ? session.getConsole() : System.out;
        int status = match.command().run(match.args(), out, out);
        out.flush();
        if (status != 0) {
            throw new ExitStatusException("pen:" + word + " exited with status " + status, status);
        }
        return null;
    }
}
