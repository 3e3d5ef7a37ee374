package dev.penwright.shell;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.launcher.spi.CommandGateway;
import dev.penwright.launcher.spi.CommandHelp;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * One place where commands run: the launcher's one-shot commands and {@code exec} scripts come through here, and
 * every {@link Subcommand} is offered to the Gogo shell as {@code pen:<first word of its name>}.
 */
@Component(service = CommandGateway.class, immediate = true)
public final class RuntimeCommandGateway implements CommandGateway {
    /** The service property Karaf's shell reads a Gogo function's description from. */
    static final String COMMAND_DESCRIPTION = "osgi.command.description";

    private final SubcommandIndex index = new SubcommandIndex();
    private final Map<String, ServiceRegistration<Function>> functions = new HashMap<>();
    private final Map<String, Integer> functionUsers = new HashMap<>();
    private final BundleContext context;
    private final CommandProcessor processor;
    private final StylePackRegistry styles;
    private final HelpOverride help;

    @Activate
    public RuntimeCommandGateway(BundleContext context, @Reference CommandProcessor processor,
                                 @Reference StylePackRegistry styles) {
        this.context = context;
        this.processor = processor;
        this.styles = styles;
        synchronized (functions) {
            functionUsers.keySet().forEach(this::registerFunction);
            Dictionary<String, Object> exit = new Hashtable<>();
            exit.put(CommandProcessor.COMMAND_SCOPE, "pen");
            exit.put(CommandProcessor.COMMAND_FUNCTION, new String[] {"exit"});
            functions.put("exit", context.registerService(Function.class, new ExitFunction(context), exit));
        }
        help = new HelpOverride(context, index);
        help.open();
    }

    @Deactivate
    void deactivate() {
        help.close();
        synchronized (functions) {
            functions.values().forEach(ServiceRegistration::unregister);
            functions.clear();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSubcommand(Subcommand command, Map<String, Object> properties) {
        String name = nameOf(command, properties);
        index.add(name, command);
        String word = name.split(" ")[0];
        synchronized (functions) {
            functionUsers.merge(word, 1, Integer::sum);
            if (context != null && !functions.containsKey(word)) {
                registerFunction(word);
            } else if (functions.containsKey(word)) {
                functions.get(word).setProperties(functionProperties(word));
            }
        }
    }

    void removeSubcommand(Subcommand command, Map<String, Object> properties) {
        String name = nameOf(command, properties);
        index.remove(name, command);
        String word = name.split(" ")[0];
        synchronized (functions) {
            if (functionUsers.merge(word, -1, Integer::sum) <= 0) {
                functionUsers.remove(word);
                Optional.ofNullable(functions.remove(word)).ifPresent(ServiceRegistration::unregister);
            } else if (functions.containsKey(word)) {
                functions.get(word).setProperties(functionProperties(word));
            }
        }
    }

    private void registerFunction(String word) {
        functions.put(word, context.registerService(Function.class, new SubcommandFunction(word, index),
                functionProperties(word)));
    }

    /**
     * A {@code pen:<word>} function's service properties. Besides Gogo's scope and function,
     * {@value #COMMAND_DESCRIPTION}: Karaf's shell describes a command registered as a plain Gogo function by the
     * {@code @Descriptor} of a method named after it, else by this property (its {@code help} lists commands with it);
     * Gogo ignores it. Renewed whenever a command under the word comes or goes.
     */
    private Dictionary<String, Object> functionProperties(String word) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(CommandProcessor.COMMAND_SCOPE, "pen");
        properties.put(CommandProcessor.COMMAND_FUNCTION, new String[] {word});
        properties.put(COMMAND_DESCRIPTION, index.summaryOf(word));
        return properties;
    }

    private static String nameOf(Subcommand command, Map<String, Object> properties) {
        Object name = properties.get(Subcommand.NAME);
        return (name != null ? name.toString() : command.name()).trim();
    }

    @Override
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return styles.awaitSettled(timeout);
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Optional<SubcommandIndex.Match> match = index.match(argv);
        if (match.isEmpty()) {
            err.println("penwright: unknown command '" + String.join(" ", argv.subList(0, Math.min(2, argv.size())))
                    + "'. Commands:");
            describe().forEach(line -> err.println("  " + line));
            return 2;
        }
        try {
            return match.get().command().run(match.get().args(), out, err);
        } catch (Exception e) {
            err.println("penwright " + argv.get(0) + ": " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
    }

    @Override
    public int execute(String script, PrintStream out, PrintStream err) {
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        session.put(SubcommandFunction.EXEC_SESSION, true);
        try {
            Object result = session.execute(script);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ExitStatusException exit) {
                    if (!exit.getMessage().isEmpty()) {
                        err.println(exit.getMessage());
                    }
                    return exit.status();
                }
            }
            err.println("gogo: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            session.close();
        }
    }

    @Override
    public List<String> describe() {
        return index.describe();
    }

    @Override
    public List<CommandHelp> help() {
        return index.help();
    }
}
