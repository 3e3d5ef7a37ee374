package dev.penwright.shell;

import java.util.Dictionary;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Registers {@link HelpFunction} as {@code felix:help}, ranked above Gogo's own, for as long as Gogo's own help
 * (gogo.command's {@code Basic}, which answers everything but the {@code pen:} commands) is registered. Where there
 * is none (Karaf, whose {@code help} is its own and runs {@code <command> --help}), nothing is registered.
 */
final class HelpOverride {
    /** Marks this bundle's help, so that the tracker does not take it for Gogo's. */
    static final String MARK = "penwright.help";

    private final ServiceTracker<Object, Object> tracker;

    HelpOverride(BundleContext context, SubcommandIndex index) {
        try {
            tracker = new ServiceTracker<>(context, context.createFilter("(&(" + CommandProcessor.COMMAND_SCOPE
                    + "=felix)(" + CommandProcessor.COMMAND_FUNCTION + "=help)(!(" + MARK + "=*)))"), null) {
                private ServiceReference<Object> wrapped;
                private ServiceRegistration<Function> registration;

                @Override
                public synchronized Object addingService(ServiceReference<Object> reference) {
                    Object basic = context.getService(reference);
                    if (basic != null && registration == null) {
                        Dictionary<String, Object> properties = new Hashtable<>();
                        properties.put(CommandProcessor.COMMAND_SCOPE, "felix");
                        properties.put(CommandProcessor.COMMAND_FUNCTION, new String[] {"help"});
                        properties.put(Constants.SERVICE_RANKING, rankingOf(reference) + 1);
                        properties.put(MARK, true);
                        registration = context.registerService(Function.class, new HelpFunction(index, basic),
                                properties);
                        wrapped = reference;
                    }
                    return basic;
                }

                @Override
                public synchronized void removedService(ServiceReference<Object> reference, Object service) {
                    if (reference.equals(wrapped)) {
                        try {
                            registration.unregister();
                        } catch (IllegalStateException e) {
                            // Already gone with this bundle's context.
                        }
                        registration = null;
                        wrapped = null;
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
