package dev.penwright.stylepacks.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.stylepacks.StylePackFormat;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pen:style <id>}: one pack's descriptor, files and report. */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=style")
public final class StyleCommand extends PicocliSubcommand {
    private final StylePackRegistry registry;

    @Activate
    public StyleCommand(@Reference StylePackRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "style";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out) {
        return new Show(out);
    }

    @Command(name = "style", mixinStandardHelpOptions = true,
            description = "Show one style pack: its style.json, exemplar count, folder and training report.")
    final class Show implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(paramLabel = "ID", description = "The style id.")
        String id;

        @picocli.CommandLine.Option(names = "--json", description = "The whole view as JSON, report included.")
        boolean json;

        Show(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            Optional<StylePack> pack = registry.find(id);
            if (pack.isEmpty()) {
                Optional<StylePackEntry> rejected = registry.entries().stream().filter(e -> e.id().equals(id)).findFirst();
                out.println(rejected.map(e -> "style " + id + " is " + e.state() + ": " + e.reason())
                        .orElse("no style pack '" + id + "' (pen:styles --all lists them)"));
                return 2;
            }
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("ref", pack.get().ref());
            view.put("style", pack.get().descriptor());
            view.put("exemplars", pack.get().exemplars().size());
            view.put("directory", pack.get().directory().toString());
            var report = pack.get().directory().resolve(StylePackFormat.REPORT);
            if (Files.exists(report)) {
                view.put("report", StylesCommand.JSON.readTree(report.toFile()));
            }
            if (json) {
                out.println(StylesCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(view));
            } else {
                JsonOutline.lines(StylesCommand.JSON.valueToTree(view)).forEach(out::println);
            }
            return 0;
        }
    }
}
