package dev.penwright.launcher;

import java.nio.file.Path;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/** Where a runtime's log goes: {@code HOME/log/}, with only warnings and errors on the console. */
final class RuntimeLog {
    private RuntimeLog() {
    }

    /**
     * Reconfigures Logback once the home is known (it is an option, so the class path's configuration cannot name
     * it); the bundles log through the same SLF4J, exported by the system bundle.
     *
     * @return the log folder
     */
    static Path toFolder(Path home) throws JoranException {
        Path folder = home.resolve("log");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty("penwright.log.dir", folder.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(RuntimeLog.class.getResource("runtime-logback.xml"));
        return folder;
    }
}
