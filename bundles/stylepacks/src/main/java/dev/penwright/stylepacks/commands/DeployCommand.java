package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.stylepacks.DeployFolder;
import org.osgi.framework.BundleContext;
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
    private final DeployFolder folder;

    @Activate
    public DeployCommand(BundleContext context, @Reference StylePackRegistry registry) {
        this.registry = registry;
        this.folder = new DeployFolder(Path.of(context.getProperty("penwright.deploy")));
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

        Deploy(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(jar)) {
                out.println("no such file: " + jar);
                return 2;
            }
            Path target = folder.deploy(jar);
            out.println("copied to " + target);
            String source = target.toUri().toString();
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            Thread.sleep(250);
            while (System.nanoTime() < deadline) {
                registry.awaitSettled(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                for (StylePackEntry e : registry.entries()) {
                    if (e.source().equals(source) || Path.of(java.net.URI.create(e.source())).equals(target)) {
                        out.println(e.id() + "@" + e.version() + " " + e.state()
                                + (e.reason().isEmpty() ? "" : ": " + e.reason()));
                        return e.state() == dev.penwright.api.style.StylePackState.ACTIVE ? 0 : 1;
                    }
                }
                Thread.sleep(50);
            }
            out.println("deployed, but no verdict within " + waitSeconds + " s (pen:styles --all shows it later)");
            return 1;
        }
    }
}
