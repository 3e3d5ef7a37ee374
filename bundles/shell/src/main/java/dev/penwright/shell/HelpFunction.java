package dev.penwright.shell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Gogo's {@code help}, with the {@code pen:} commands in it. Gogo's help commands ({@code felix:help}, gogo.command's
 * {@code Basic}; {@code gogo:help}, gogo.jline's {@code Shell}) describe a command by reflection: the public methods of
 * its service object named after the function, with their {@code @Descriptor} and {@code @Parameter} annotations. A
 * {@code pen:} command is one {@link SubcommandFunction} for every subcommand sharing a first word, whose options are
 * picocli's, so they found nothing to describe. This function stands in for one of them ({@link HelpOverride}):
 * <ul>
 *   <li>{@code help pen:<word> [<second word>]}, or {@code help <word>} when no other scope has a command of that
 *       name: the command's own {@code --help} (usage and options), then the other commands under its word;</li>
 *   <li>{@code help} alone: Gogo's list, then the {@code pen:} commands with their summaries;</li>
 *   <li>anything else: Gogo's answer, unchanged.</li>
 * </ul>
 * Answers are returned, as Gogo's help returns them, so that the shell prints them and a pipe can read them.
 */
final class HelpFunction implements Function {
    static final String SCOPE = "pen:";

    private final SubcommandIndex index;
    private final Object gogoHelp;
    private final BundleContext context;

    /** @param gogoHelp the object of the Gogo help this stands in for (its {@code help} methods answer the rest) */
    HelpFunction(SubcommandIndex index, Object gogoHelp, BundleContext context) {
        this.index = index;
        this.gogoHelp = gogoHelp;
        this.context = context;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        List<String> args = new ArrayList<>();
        arguments.forEach(a -> args.add(String.valueOf(a)));
        if (args.isEmpty()) {
            Object gogo = gogo(session);
            StringBuilder all = new StringBuilder(gogo == null ? "" : String.valueOf(gogo));
            if (all.length() > 0 && all.charAt(all.length() - 1) != '\n') {
                all.append('\n');
            }
            index.describe().forEach(line -> all.append(SCOPE).append(line).append('\n'));
            return all.toString();
        }
        String name = args.get(0);
        if (name.startsWith(SCOPE)) {
            return penHelp(name.substring(SCOPE.length()), args);
        }
        if (name.indexOf(':') < 0 && !index.namesStartingWith(name).isEmpty() && !elsewhere(name)) {
            return penHelp(name, args);
        }
        return gogo(session, name);
    }

    private String penHelp(String word, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(word);
        argv.addAll(args.subList(1, args.size()));
        String text = index.helpText(argv);
        if (text.isEmpty() && word.equals("exit")) {
            return "Usage: exit [STATUS]\nAt the prompt: stops the runtime, as Ctrl-D does. Under exec: ends the script"
                    + " with STATUS (default 0).\n";
        }
        if (text.isEmpty()) {
            return "No pen: command " + SCOPE + word + ". The pen: commands:\n"
                    + String.join("\n", index.describe().stream().map(l -> "  " + SCOPE + l).toList());
        }
        return text;
    }

    /** Whether a command of another scope than pen: has this name. */
    private boolean elsewhere(String name) {
        if (!name.matches("[\\w.-]+")) {
            return true;
        }
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                    "(" + CommandProcessor.COMMAND_FUNCTION + "=" + name + ")");
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    if (!"pen".equals(ref.getProperty(CommandProcessor.COMMAND_SCOPE))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (InvalidSyntaxException e) {
            return true;
        }
    }

    /**
     * Gogo's own help with these arguments: {@code help(String…)} (gogo.command, returns its text) or
     * {@code help(CommandSession, String…)} (gogo.jline, prints it and returns nothing).
     */
    private Object gogo(CommandSession session, String... args) throws Exception {
        for (Method m : gogoHelp.getClass().getMethods()) {
            if (!m.getName().equals("help")) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            boolean withSession = types.length > 0 && types[0] == CommandSession.class;
            if (types.length != args.length + (withSession ? 1 : 0)) {
                continue;
            }
            List<Object> values = new ArrayList<>();
            if (withSession) {
                values.add(session);
            }
            values.addAll(List.of(args));
            try {
                return m.invoke(gogoHelp, values.toArray());
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        return null;
    }
}
