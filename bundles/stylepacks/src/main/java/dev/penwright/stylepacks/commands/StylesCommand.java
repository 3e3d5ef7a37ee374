package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pen:styles [--all] [--json]}: the deployed style packs. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=styles")
public final class StylesCommand extends PicocliSubcommand {
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final StylePackRegistry registry;

    @Activate
    public StylesCommand(@Reference StylePackRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "styles";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out) {
        return new Listing(out);
    }

    @Command(name = "styles", mixinStandardHelpOptions = true,
            description = "List the active style packs (--all: rejected ones too, with the reason).")
    final class Listing implements Callable<Integer> {
        private final PrintStream out;

        @Option(names = "--all", description = "Include rejected packs.")
        boolean all;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        Listing(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            List<StylePackEntry> entries = registry.entries().stream()
                    .filter(e -> all || e.state() == StylePackState.ACTIVE).toList();
            if (json) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entries));
                return 0;
            }
            if (entries.isEmpty()) {
                out.println(all ? "no style packs deployed" : "no active style packs (pen:styles --all shows rejected ones)");
                return 0;
            }
            out.printf("%-20s %-12s %-9s %-8s %-22s %s%n", "ID", "VERSION", "STATE", "LANG", "BASE MODEL",
                    all ? "NAME / REASON" : "NAME");
            for (StylePackEntry e : entries) {
                out.printf("%-20s %-12s %-9s %-8s %-22s %s%n", e.id(), e.version(), e.state(), e.language(),
                        e.baseModel(), e.state() == StylePackState.ACTIVE ? e.name() : e.reason());
            }
            return 0;
        }
    }
}
