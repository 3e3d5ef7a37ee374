package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.Deployment;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.PackArchive;
import dev.penwright.stylepacks.StylePackLimits;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pen:deploy <jar>}: copies a pack into the deploy folder atomically and reports how it was judged. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=deploy")
public final class DeployCommand extends PicocliSubcommand {
    private final StylePackRegistry registry;
    private final StylePackLimits limits;

    @Activate
    public DeployCommand(@Reference StylePackRegistry registry, @Reference StylePackLimits limits) {
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public String name() {
        return "deploy";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out) {
        return new Deploy(out);
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Copy a style-pack jar into the deploy folder (atomically) and wait until it is judged.")
    final class Deploy implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(paramLabel = "JAR", description = "The pack jar.")
        Path jar;

        @Option(names = "--wait", defaultValue = "10", description = "Seconds to wait for the verdict (default 10).")
        int waitSeconds;

        @Option(names = "--allow-downgrade", description = "Let it replace an active pack of a higher version.")
        boolean allowDowngrade;

        Deploy(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(jar)) {
                out.println("no such file: " + jar);
                return 2;
            }
            // The same limits the deploy folder's installer applies, checked here first so that a bad pack is refused
            // with its reason before it is copied at all.
            if (PackArchive.styleIdOf(jar) != null) {
                try {
                    PackArchive.check(jar, limits.limits());
                } catch (InvalidStylePackException e) {
                    out.println(jar.getFileName() + " REJECTED: " + e.getMessage());
                    return 1;
                }
            }
            Deployment deployment = registry.deploy(jar, allowDowngrade);
            out.println("copied to " + deployment.file());
            try {
                StylePackEntry e = deployment.verdict().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
                out.println(e.id() + "@" + e.version() + " " + e.state() + (e.reason().isEmpty() ? "" : ": " + e.reason()));
                return e.state() == StylePackState.ACTIVE ? 0 : 1;
            } catch (TimeoutException e) {
                // Reported below.
            }
            out.println("deployed, but no verdict within " + waitSeconds + " s (pen:styles --all shows it later)");
            return 1;
        }
    }
}
