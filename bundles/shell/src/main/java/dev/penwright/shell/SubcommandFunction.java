package dev.penwright.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * {@code pen:<word>} in the Gogo shell: passes its arguments, as text, to the subcommand they name. A command that
 * fails says why in one line. Under {@code exec} a non-zero status becomes an {@link ExitStatusException}, which ends
 * the script and becomes the process's status; at the interactive prompt the one line is all the user sees.
 */
final class SubcommandFunction implements Function {
    /** Set in the sessions {@code exec} runs scripts in. */
    static final String EXEC_SESSION = "penwright.exec";

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
        // Karaf hands a Function the CommandSession its session variable .commandSession holds, which a session
        // may lack: then System.out, which Gogo and Karaf point at the running session's output.
        PrintStream out = session != null && session.getConsole() != null ? session.getConsole() : System.out;
        Optional<SubcommandIndex.Match> match = index.match(argv);
        int status;
        if (arguments.size() == 1 && "--help".equals(String.valueOf(arguments.get(0)))) {
            // What Karaf's help pen:<word> runs: the command's help and the others under its word (pen:bench has
            // no command of its own, only bench engine and bench notes). The word alone names the command: with
            // "--help" after it, the index would see a command line with arguments, and list the word's commands
            // without the command's own usage.
            out.print(index.helpText(List.of(word)));
            status = 0;
        } else if (match.isEmpty()) {
            out.println("pen:" + word + ": expected one of " + index.namesStartingWith(word));
            status = 2;
        } else {
            status = runQuietly(match.get(), out);
        }
        out.flush();
        if (status != 0 && session != null && Boolean.TRUE.equals(session.get(EXEC_SESSION))) {
            throw new ExitStatusException("pen:" + word + " exited with status " + status, status);
        }
        return null;
    }

    private int runQuietly(SubcommandIndex.Match match, PrintStream out) {
        try {
            return match.command().run(match.args(), out, out);
        } catch (Exception e) {
            out.println("pen:" + word + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }
}
