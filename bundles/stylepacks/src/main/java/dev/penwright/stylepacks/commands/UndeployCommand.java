package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pen:undeploy <id>}: removes a pack's jar from the deploy folder; FileInstall uninstalls it. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=undeploy")
public final class UndeployCommand extends PicocliSubcommand {
    private final StylePackRegistry registry;

    @Activate
    public UndeployCommand(@Reference StylePackRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "undeploy";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out) {
        return new Undeploy(out);
    }

    @Command(name = "undeploy", mixinStandardHelpOptions = true,
            description = "Remove a style pack (active or rejected) by deleting its jar from the deploy folder.")
    final class Undeploy implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(paramLabel = "ID", description = "The style id (or, for a rejected file, its file name).")
        String id;

        @Option(names = "--wait", defaultValue = "10", description = "Seconds to wait until it is unlisted (default 10).")
        int waitSeconds;

        Undeploy(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            Optional<StylePackEntry> entry = registry.entries().stream().filter(e -> e.id().equals(id)).findFirst();
            if (entry.isEmpty()) {
                out.println("no style pack '" + id + "'");
                return 2;
            }
            URI source = URI.create(entry.get().source());
            if (!"file".equals(source.getScheme())) {
                out.println("style pack '" + id + "' was not deployed from a folder (" + source + ")");
                return 2;
            }
            Path file = Path.of(source);
            Files.deleteIfExists(file);
            try {
                registry.unlisted(id).toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
                out.println("removed " + file);
                return 0;
            } catch (TimeoutException e) {
                out.println("deleted " + file + ", but '" + id + "' is still listed after " + waitSeconds + " s");
                return 1;
            }
        }
    }
}
