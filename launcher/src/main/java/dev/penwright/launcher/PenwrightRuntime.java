package dev.penwright.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.penwright.launcher.spi.CommandGateway;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One OSGi framework (Felix or Equinox) with Penwright's bundles, configured from {@link LaunchOptions}. */
final class PenwrightRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PenwrightRuntime.class);
    private static final String SPI_PACKAGE = "dev.penwright.launcher.spi;version=1.1.0";
    private static final String FILEINSTALL = "org.apache.felix.fileinstall";
    private static final String GOGO_SHELL = "org.apache.felix.gogo.jline";
    private static final String JLINE = "org.jline";

    private final LaunchOptions options;
    private final Path storage;
    private final Path logFolder;
    private final List<Bundle> installed = new ArrayList<>();
    private Framework framework;

    PenwrightRuntime(LaunchOptions options) throws IOException {
        this.options = options;
        try {
            this.logFolder = RuntimeLog.toFolder(options.home());
        } catch (ch.qos.logback.core.joran.spi.JoranException e) {
            throw new IllegalStateException("the launcher's log configuration is broken: rebuild it", e);
        }
        this.storage = Files.createTempDirectory("penwright-" + options.framework().id() + "-");
    }

    /** The folder the runtime logs into. */
    Path logFolder() {
        return logFolder;
    }

    /**
     * Creates the framework and installs the bundles without starting anything, so that it can run beside the
     * engine's initialisation. Bundles are installed by reference: the framework reads them in place, no copy.
     */
    void install() throws BundleException, IOException {
        Files.createDirectories(options.deploy());
        framework = options.framework().create(configuration(), storage);
        framework.init();
        BundleContext context = framework.getBundleContext();
        for (Path jar : systemBundles()) {
            installed.add(context.installBundle("reference:" + jar.toUri()));
        }
    }

    /**
     * Starts the framework and every installed bundle this launch mode uses. All are resolved together first, and
     * FileInstall starts last: its watcher thread installs and resolves deploy/ bundles at once, and Felix refuses to
     * start a bundle while another thread holds its global resolve lock.
     */
    void start() throws BundleException {
        framework.start();
        framework.adapt(FrameworkWiring.class).resolveBundles(installed);
        List<Bundle> order = new ArrayList<>(installed);
        order.sort(Comparator.comparingInt(PenwrightRuntime::startRank));
        for (Bundle bundle : order) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null && options.mode().starts(bundle.getSymbolicName())) {
                try {
                    if (GOGO_SHELL.equals(bundle.getSymbolicName())) {
                        startShell(bundle);
                    } else {
                        bundle.start();
                    }
                } catch (BundleException e) {
                    // One broken bundle must not take the others down; the log says which and why.
                    LOG.error("bundle {} did not start: {}", bundle.getSymbolicName(), e.getMessage());
                }
            }
        }
    }

    /**
     * The Gogo shell starts after every other bundle but FileInstall: by then the command processor is there, so the
     * shell builds its terminal during its own start, on this thread.
     */
    private static int startRank(Bundle bundle) {
        return FILEINSTALL.equals(bundle.getSymbolicName()) ? 2 : GOGO_SHELL.equals(bundle.getSymbolicName()) ? 1 : 0;
    }

    /**
     * JLine finds its terminal providers (exec, jni, …) as resources of the thread's context class loader; the
     * launcher's loader does not hold them, and JLine then falls back to a dumb terminal: no line editing, history
     * or completion. So the shell starts with JLine's own bundle class loader as the context class loader.
     */
    private void startShell(Bundle shell) throws BundleException {
        ClassLoader jline = installed.stream().filter(b -> JLINE.equals(b.getSymbolicName())).findFirst()
                .map(b -> b.adapt(BundleWiring.class)).map(BundleWiring::getClassLoader).orElse(null);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(jline != null ? jline : previous);
        try {
            shell.start();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Waits for the runtime's command gateway and, when {@code needsPacks}, for it to be ready: every file of the
     * deploy folder judged.
     */
    CommandGateway awaitGateway(Duration timeout, boolean needsPacks) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ServiceTracker<CommandGateway, CommandGateway> tracker =
                new ServiceTracker<>(framework.getBundleContext(), CommandGateway.class, null);
        tracker.open();
        CommandGateway gateway = tracker.waitForService(Math.max(1, timeout.toMillis()));
        if (gateway == null) {
            throw new IllegalStateException("the runtime offered no command gateway within " + timeout
                    + "; is the dev.penwright.shell bundle in " + bundlesDirectory() + "?");
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (needsPacks && !gateway.awaitReady(left)) {
            LOG.warn("deploy folder {} not settled within {}", options.deploy(), timeout);
        }
        return gateway;
    }

    void awaitStop() throws InterruptedException {
        FrameworkEvent event;
        do {
            event = framework.waitForStop(0);
        } while (event.getType() == FrameworkEvent.WAIT_TIMEDOUT);
    }

    @Override
    public void close() {
        try {
            if (framework != null) {
                framework.stop();
                framework.waitForStop(10_000);
            }
        } catch (BundleException | InterruptedException e) {
            LOG.warn("framework did not stop cleanly", e);
        } finally {
            deleteQuietly(storage);
        }
    }

    private Map<String, String> configuration() throws IOException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackagesExtra());
        config.put("penwright.home", options.home().toString());
        config.put("penwright.deploy", options.deploy().toString());
        config.put("penwright.models", options.models().toString());
        // FileInstall watches etc/ for configuration; etc/org.apache.felix.fileinstall-deploy.cfg adds the deploy/
        // watcher, as Karaf does, so that both are plain configuration.
        config.put("felix.fileinstall.dir", options.home().resolve("etc").toString());
        config.put("felix.fileinstall.poll", "200");
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.enableConfigSave", "false");
        config.put("felix.fileinstall.log.level", "2");
        config.put("org.osgi.service.http.port", Integer.toString(options.port()));
        config.put("org.apache.felix.http.host", options.host());
        config.put("org.apache.felix.http.enable", Boolean.toString(options.mode().servesHttp()));
        config.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        // Jetty lets every spelling of a path through, decoded and resolved, so that the API's filter checks the key
        // on the path that will be served (401 for any spelling without a key); the filter then refuses what strict
        // compliance would (dev.penwright.jetty marks it). Strict mode would answer 400 before any key check.
        config.put("org.eclipse.jetty.UriComplianceMode", "UNSAFE");
        config.put("gosh.args", "--nointeractive");
        if (options.mode() == LaunchMode.INTERACTIVE) {
            config.put("gosh.args", "");
        }
        return config;
    }

    /** The generated list of DJL's and SLF4J's packages (see SystemPackagesGenerator), plus the launcher's SPI. */
    private static String systemPackagesExtra() throws IOException {
        try (InputStream in = PenwrightRuntime.class.getResourceAsStream("system-packages.txt")) {
            if (in == null) {
                throw new IllegalStateException("system-packages.txt missing from the launcher jar: rebuild it");
            }
            List<String> packages = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).collect(Collectors.toCollection(ArrayList::new));
            packages.add(SPI_PACKAGE);
            return String.join(",", packages);
        }
    }

    private Path bundlesDirectory() {
        return options.home().resolve("system").resolve("bundles");
    }

    private List<Path> systemBundles() throws IOException {
        Path dir = bundlesDirectory();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no bundles in " + dir + ": build first (mvn -q install -DskipTests)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.toString().endsWith(".jar"))
                    .filter(PenwrightRuntime::isBundle)
                    .sorted()
                    .toList();
        }
    }

    private static boolean isBundle(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() != null
                    && file.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) != null;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable system bundle " + jar, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is harmless.
        }
    }
}
