package dev.penwright.shell;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.slf4j.LoggerFactory;

/**
 * {@code exit [STATUS]}: at the interactive prompt it stops the runtime, as Ctrl-D does; under {@code exec} it ends
 * the script with that status (0 by default).
 */
final class ExitFunction implements Function {
    private final BundleContext context;

    ExitFunction(BundleContext context) {
        this.context = context;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        int status;
        try {
            status = arguments.isEmpty() ? 0 : Integer.parseInt(String.valueOf(arguments.get(0)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("exit takes a status number, not '" + arguments.get(0) + "'");
        }
        if (Boolean.TRUE.equals(session.get(SubcommandFunction.EXEC_SESSION))) {
            throw new ExitStatusException("", status);
        }
        // Stopped from another thread: the framework stops the shell's bundle, which waits for this thread to end.
        Thread stopper = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (BundleException e) {
                LoggerFactory.getLogger(ExitFunction.class).error("the runtime did not stop: {}", e.getMessage());
            }
        }, "penwright-exit");
        stopper.start();
        return null;
    }
}
