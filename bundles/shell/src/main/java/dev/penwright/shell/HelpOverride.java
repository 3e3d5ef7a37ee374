package dev.penwright.shell;

import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Registers a {@link HelpFunction} over each of Gogo's own {@code help} commands, in its scope and ranked above it,
 * for as long as it is registered: {@code felix:help} (gogo.command's {@code Basic}, which {@code exec} scripts find)
 * and {@code gogo:help} (gogo.jline's {@code Shell}, which the interactive shell finds first: its {@code SCOPE} is
 * {@code gogo:*}). Both describe commands by reflection only, and {@code gogo:help} printed nothing at all for a
 * {@code pen:} command. Where neither is registered (Karaf, whose {@code help} is its own and runs
 * {@code <command> --help}), nothing is registered.
 */
final class HelpOverride {
    /** Marks this bundle's help functions, so that the tracker does not take them for Gogo's. */
    static final String MARK = "penwright.help";

    private final ServiceTracker<Object, Object> tracker;

    HelpOverride(BundleContext context, SubcommandIndex index) {
        try {
            tracker = new ServiceTracker<>(context, context.createFilter("(&(" + CommandProcessor.COMMAND_FUNCTION
                    + "=help)(|(" + CommandProcessor.COMMAND_SCOPE + "=felix)(" + CommandProcessor.COMMAND_SCOPE
                    + "=gogo))(!(" + MARK + "=*)))"), null) {
                private final Map<ServiceReference<Object>, ServiceRegistration<Function>> registrations =
                        new HashMap<>();

                @Override
                public synchronized Object addingService(ServiceReference<Object> reference) {
                    Object gogoHelp = context.getService(reference);
                    if (gogoHelp != null) {
                        Dictionary<String, Object> properties = new Hashtable<>();
                        properties.put(CommandProcessor.COMMAND_SCOPE,
                                String.valueOf(reference.getProperty(CommandProcessor.COMMAND_SCOPE)));
                        properties.put(CommandProcessor.COMMAND_FUNCTION, new String[] {"help"});
                        properties.put(Constants.SERVICE_RANKING, rankingOf(reference) + 1);
                        properties.put(MARK, true);
                        registrations.put(reference, context.registerService(Function.class,
                                new HelpFunction(index, gogoHelp, context), properties));
                    }
                    return gogoHelp;
                }

                @Override
                public synchronized void removedService(ServiceReference<Object> reference, Object service) {
                    ServiceRegistration<Function> registration = registrations.remove(reference);
                    if (registration != null) {
                        try {
                            registration.unregister();
                        } catch (IllegalStateException e) {
                            // Already gone with this bundle's context.
                        }
                    }
                    context.ungetService(reference);
                }
            };
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int rankingOf(ServiceReference<?> reference) {
        return reference.getProperty(Constants.SERVICE_RANKING) instanceof Integer ranking
                ? Math.min(ranking, Integer.MAX_VALUE - 1) : 0;
    }

    void open() {
        tracker.open();
    }

    void close() {
        tracker.close();
    }
}
