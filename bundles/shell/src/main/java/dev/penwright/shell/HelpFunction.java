package dev.penwright.shell;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * Gogo's {@code help}, with the {@code pen:} commands in it. Gogo's own help (gogo.command's {@code Basic}) describes
 * a command by reflection: the public methods of the command's service object named after the function, with their
 * {@code @Descriptor} and {@code @Parameter} annotations. A {@code pen:} command is one {@link SubcommandFunction}
 * for every subcommand sharing a first word, whose options are picocli's, so Basic finds nothing to describe and
 * printed nothing. This function is registered as {@code felix:help} with a higher {@code service.ranking} than
 * Basic's (Gogo runs the highest-ranked target of a name) while Basic's is there ({@link HelpOverride}), and:
 * <ul>
 *   <li>{@code help pen:<word> [<second word>]}, or {@code help <word>} when no other command has that name: the
 *       command's own {@code --help} (usage and options), then the other commands under its word;</li>
 *   <li>{@code help} alone: Basic's list, then the {@code pen:} commands with their summaries;</li>
 *   <li>anything else: Basic's answer, unchanged.</li>
 * </ul>
 */
final class HelpFunction implements Function {
    static final String SCOPE = "pen:";
    private static final String NOT_FOUND = "No methods found matching";

    private final SubcommandIndex index;
    private final Object basic;

    /** @param basic Gogo's Basic commands object, whose {@code help()} and {@code help(String)} answer the rest */
    HelpFunction(SubcommandIndex index, Object basic) {
        this.index = index;
        this.basic = basic;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        List<String> args = new ArrayList<>();
        arguments.forEach(a -> args.add(String.valueOf(a)));
        PrintStream out = session.getConsole() != null ? session.getConsole() : System.out;
        if (args.isEmpty()) {
            StringBuilder all = new StringBuilder(String.valueOf(basic("help")));
            index.describe().forEach(line -> all.append(SCOPE).append(line).append('\n'));
            return all.toString();
        }
        String name = args.get(0);
        if (name.startsWith(SCOPE)) {
            return penHelp(name.substring(SCOPE.length()), args, out);
        }
        Object answer = basic("help", name);
        if (name.indexOf(':') < 0 && String.valueOf(answer).startsWith(NOT_FOUND)
                && !index.namesStartingWith(name).isEmpty()) {
            return penHelp(name, args, out);
        }
        return answer;
    }

    private Object penHelp(String word, List<String> args, PrintStream out) {
        List<String> argv = new ArrayList<>();
        argv.add(word);
        argv.addAll(args.subList(1, args.size()));
        String text = index.helpText(argv);
        if (text.isEmpty() && word.equals("exit")) {
            text = "Usage: exit [STATUS]\nAt the prompt: stops the runtime, as Ctrl-D does. Under exec: ends the script"
                    + " with STATUS (default 0).\n";
        }
        if (text.isEmpty()) {
            return "No pen: command " + SCOPE + word + ". The pen: commands:\n"
                    + String.join("\n", index.describe().stream().map(l -> "  " + SCOPE + l).toList());
        }
        out.print(text);
        out.flush();
        return null;
    }

    private Object basic(String method, String... args) throws Exception {
        Class<?>[] types = new Class<?>[args.length];
        java.util.Arrays.fill(types, String.class);
        Method m = basic.getClass().getMethod(method, types);
        try {
            return m.invoke(basic, (Object[]) args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
