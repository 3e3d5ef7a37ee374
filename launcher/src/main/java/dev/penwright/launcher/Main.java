package dev.penwright.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.penwright.launcher.spi.CommandGateway;
import dev.penwright.launcher.spi.CommandHelp;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code penwright run | exec | help | <subcommand>}. {@code run} and {@code exec} belong to the launcher; every
 * other subcommand is offered by a bundle and runs in a runtime started for that one command.
 */
@Command(name = "penwright", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Style-aligned article generation on an OSGi runtime.",
        subcommands = {Main.Run.class, Main.Exec.class, Main.Help.class},
        footer = {"", "Every other command (generate, plan, eval, train, bench, …) comes from the runtime's bundles:",
                "run `penwright help` to list them, `penwright <command> --help` for one."})
public final class Main implements Callable<Integer> {
    private static final Set<String> OWN = Set.of("run", "exec", "help", "-h", "--help", "-V", "--version");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The process's own streams, kept before the Gogo runtime replaces System.out and System.err with its
     * per-thread streams: command output must go to the terminal, not back into the shell.
     */
    private static final PrintStream STDOUT = System.out;
    private static final PrintStream STDERR = System.err;

    public static void main(String[] args) {
        System.exit(launch(args));
    }

    static int launch(String[] args) {
        if (args.length > 0 && !OWN.contains(args[0])) {
            List<String> argv = Arrays.asList(args);
            if (argv.contains("--help") || argv.contains("-h")) {
                Integer answered = commandHelp(argv);
                if (answered != null) {
                    return answered;
                }
            }
            return runTool(argv);
        }
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, command, parsed) -> {
            // A bad value (an unknown --framework) is a usage error with a message, not a stack trace.
            if (e instanceof IllegalArgumentException) {
                command.getErr().println("penwright: " + e.getMessage());
                return 2;
            }
            throw e;
        }).execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Options every runtime-starting command shares. */
    static final class RuntimeOptions {
        @Option(names = "--home", description = "The runtime folder (default: $PENWRIGHT_HOME or ./runtime).")
        Path home;

        @Option(names = "--deploy", description = "The folder watched for style packs (default: $PENWRIGHT_DEPLOY or HOME/deploy).")
        Path deploy;

        @Option(names = "--models", description = "The base-model folder (default: $PENWRIGHT_MODELS or HOME/models).")
        Path models;

        @Option(names = "--host", description = "HTTP address (default: http.host of HOME/conf/penwright.properties).")
        String host;

        @Option(names = "--port", description = "HTTP port (default: http.port of HOME/conf/penwright.properties).")
        Integer port;

        @Option(names = "--framework", paramLabel = "felix|equinox", description = "The OSGi framework (default: "
                + "$PENWRIGHT_FRAMEWORK, -Dpenwright.framework, framework of HOME/conf/penwright.properties, felix).")
        String framework;

        LaunchOptions resolve(LaunchMode mode) throws IOException {
            Path resolvedHome = (home != null ? home : defaultHome()).toAbsolutePath().normalize();
            Properties conf = new Properties();
            Path file = resolvedHome.resolve("conf").resolve("penwright.properties");
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    conf.load(in);
                }
            }
            Path deploy = this.deploy != null ? this.deploy : fromEnvironment("PENWRIGHT_DEPLOY");
            Path models = this.models != null ? this.models : fromEnvironment("PENWRIGHT_MODELS");
            Path resolvedDeploy = deploy != null ? deploy.toAbsolutePath().normalize()
                    : resolvedHome.resolve(conf.getProperty("deploy.dir", "deploy"));
            Path resolvedModels = models != null ? models.toAbsolutePath().normalize()
                    : resolvedHome.resolve(conf.getProperty("models.dir", "models"));
            return new LaunchOptions(resolvedHome, resolvedDeploy, resolvedModels,
                    host != null ? host : conf.getProperty("http.host", "127.0.0.1"),
                    port != null ? port : Integer.parseInt(conf.getProperty("http.port", "8080")), mode,
                    OsgiFramework.named(framework != null ? framework : defaultFramework(conf)));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Start the runtime: HTTP API, hot deploy, and the Gogo shell when a terminal is attached.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        RuntimeOptionsMixin runtime = new RuntimeOptionsMixin();

        @Option(names = "--headless", description = "Serve without a shell.")
        boolean headless;

        @Override
        public Integer call() throws Exception {
            boolean shell = !headless && System.console() != null;
            LaunchOptions options = runtime.options.resolve(shell ? LaunchMode.INTERACTIVE : LaunchMode.HEADLESS);
            long jvmMillis = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            long started = System.nanoTime();
            PenwrightRuntime osgi = new PenwrightRuntime(options);
            Runtime.getRuntime().addShutdownHook(new Thread(osgi::close, "penwright-shutdown"));
            String engine = initialiseBeside(osgi);
            long engineMillis = millisSince(started);
            osgi.start();
            long frameworkMillis = millisSince(started);
            osgi.awaitGateway(READY_TIMEOUT, true);
            String url = "http://" + options.host() + ":" + options.port();
            awaitHealth(URI.create(url + "/health"), READY_TIMEOUT);
            long readyMillis = millisSince(started);
            keepCommandIndex(options, osgi.awaitGateway(READY_TIMEOUT, false));
            LoggerFactory.getLogger(Main.class).info("Penwright ready in {} ms at {} (JVM {} ms before that; engine {} ms, "
                    + "bundles started at {} ms, deploy folder settled and /health up at {} ms; {}; {}; deploy {})",
                    jvmMillis + readyMillis, url, jvmMillis, engineMillis, frameworkMillis, readyMillis, engine,
                    options.framework().id(), options.deploy());
            // The console shows only warnings and errors; this line says where the runtime is and where its log is.
            STDOUT.printf("Penwright ready at %s in %.1f s (deploy %s, log %s)%n", url, (jvmMillis + readyMillis) / 1000.0,
                    options.deploy(), osgi.logFolder());
            osgi.awaitStop();
            return 0;
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = "Start the runtime without HTTP, run Gogo commands, print their output and exit with "
                    + "their status. Example: penwright exec \"pen:styles --all\"")
    static final class Exec implements Callable<Integer> {
        @CommandLine.Mixin
        RuntimeOptionsMixin runtime = new RuntimeOptionsMixin();

        @Parameters(arity = "1..*", paramLabel = "COMMANDS", description = "Gogo commands, joined by spaces.")
        List<String> script;

        @Override
        public Integer call() throws Exception {
            return withGateway(runtime.options.resolve(LaunchMode.TOOL),
                    gateway -> gateway.execute(String.join(" ", script), STDOUT, STDERR));
        }
    }

    @Command(name = "help", mixinStandardHelpOptions = true,
            description = "List every command the runtime's bundles offer, or show one command's help.")
    static final class Help implements Callable<Integer> {
        @Parameters(arity = "0..2", paramLabel = "COMMAND", description = "A command, e.g. generate article.")
        List<String> command = List.of();

        @Override
        public Integer call() throws Exception {
            List<CommandHelp> commands = runtimeCommands(new RuntimeOptions().resolve(LaunchMode.TOOL));
            if (!command.isEmpty()) {
                Optional<CommandHelp> named = matching(commands, command);
                if (named.isPresent() && named.get().name().equals(String.join(" ", command))) {
                    STDOUT.print(named.get().usage());
                    return 0;
                }
                STDERR.println("penwright help: unknown command '" + String.join(" ", command) + "'. Commands:");
                commands.forEach(c -> STDERR.println("  " + listed(c)));
                return 2;
            }
            new CommandLine(new Main()).usage(STDOUT);
            STDOUT.println();
            STDOUT.println("Commands from the runtime:");
            commands.forEach(c -> STDOUT.println("  " + listed(c)));
            return 0;
        }
    }

    /** Lets picocli mix the shared options into each command. */
    static final class RuntimeOptionsMixin {
        @CommandLine.ArgGroup(exclusive = false)
        RuntimeOptions options = new RuntimeOptions();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"Penwright " + (version == null ? "(development build)" : version)};
        }
    }

    /** A bundle's subcommand: the runtime is started without HTTP or shell for this one command. */
    private static int runTool(List<String> argv) {
        try {
            return withGateway(new RuntimeOptions().resolve(LaunchMode.TOOL),
                    gateway -> gateway.run(argv, STDOUT, STDERR));
        } catch (Exception e) {
            STDERR.println("penwright: " + e.getMessage());
            return 1;
        }
    }

    /**
     * {@code <command> … --help}, answered from the command index without a runtime; null when the index does not
     * know the command or holds no help for it (the runtime answers then).
     */
    private static Integer commandHelp(List<String> argv) {
        try {
            Optional<CommandHelp> named = matching(runtimeCommands(new RuntimeOptions().resolve(LaunchMode.TOOL)),
                    argv);
            if (named.isEmpty() || named.get().usage().isEmpty()) {
                return null;
            }
            STDOUT.print(named.get().usage());
            STDOUT.flush();
            return 0;
        } catch (Exception e) {
            STDERR.println("penwright: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The runtime's commands: from the command index when it is current, else from a runtime started for that
     * alone, which does not wait for the deploy folder (help needs no style pack) and renews the index.
     */
    private static List<CommandHelp> runtimeCommands(LaunchOptions options) throws Exception {
        CommandIndex index = new CommandIndex(options.home());
        Optional<List<CommandHelp>> known = index.read();
        if (known.isPresent()) {
            return known.get();
        }
        List<List<CommandHelp>> listed = new ArrayList<>();
        withGateway(options, false, gateway -> {
            listed.add(gateway.help());
            return 0;
        });
        return listed.get(0);
    }

    /** The command whose name the leading one or two words spell, the longer name first (as the runtime matches). */
    private static Optional<CommandHelp> matching(List<CommandHelp> commands, List<String> argv) {
        for (int words = Math.min(2, argv.size()); words >= 1; words--) {
            String name = String.join(" ", argv.subList(0, words));
            Optional<CommandHelp> found = commands.stream().filter(c -> c.name().equals(name)).findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static String listed(CommandHelp command) {
        return String.format("%-16s %s", command.name(), command.summary());
    }

    /** Renews the command index when the bundles changed since it was written; a read-only home goes without. */
    private static void keepCommandIndex(LaunchOptions options, CommandGateway gateway) {
        CommandIndex index = new CommandIndex(options.home());
        if (index.stale()) {
            try {
                index.write(gateway.help());
            } catch (IOException | RuntimeException e) {
                LoggerFactory.getLogger(Main.class).info("command index not written ({}): help will start a runtime",
                        e.toString());
            }
        }
    }

    private interface GatewayCall {
        int apply(CommandGateway gateway) throws Exception;
    }

    private static int withGateway(LaunchOptions options, GatewayCall call) throws Exception {
        return withGateway(options, true, call);
    }

    /** @param needsPacks whether the call waits until every file in the deploy folder has been judged */
    private static int withGateway(LaunchOptions options, boolean needsPacks, GatewayCall call) throws Exception {
        try (PenwrightRuntime osgi = new PenwrightRuntime(options)) {
            initialiseBeside(osgi);
            osgi.start();
            CommandGateway gateway = osgi.awaitGateway(READY_TIMEOUT, needsPacks);
            int status = call.apply(gateway);
            STDOUT.flush();
            keepCommandIndex(options, gateway);
            return status;
        }
    }

    /**
     * Initialises the engine on this (the main) thread while another thread creates the framework and installs the
     * bundles; nothing in the framework starts before the engine is ready.
     */
    private static String initialiseBeside(PenwrightRuntime osgi) throws Exception {
        java.util.concurrent.FutureTask<Void> install = new java.util.concurrent.FutureTask<>(() -> {
            osgi.install();
            return null;
        });
        Thread installer = new Thread(install, "penwright-install");
        installer.start();
        String engine = DjlBootstrap.initialise();
        try {
            install.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return engine;
    }

    private static Path fromEnvironment(String variable) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** The one-shot commands take no --framework (their arguments are the subcommand's): environment or conf/. */
    private static String defaultFramework(Properties conf) {
        String env = System.getenv("PENWRIGHT_FRAMEWORK");
        return env != null && !env.isBlank() ? env
                : System.getProperty("penwright.framework", conf.getProperty("framework", OsgiFramework.FELIX.id()));
    }

    private static Path defaultHome() {
        String env = System.getenv("PENWRIGHT_HOME");
        return Path.of(env != null ? env : System.getProperty("penwright.home", "runtime"));
    }

    private static void awaitHealth(URI health, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // The port opens a moment after Jetty's bundle starts.
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(health + " did not answer 200 within " + timeout);
    }
}
