package dev.penwright.server.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.StylePackRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine;

/** The subcommands this bundle offers; the engine owns plain {@code generate}, so ours is {@code generate article}. */
final class ServerSubcommands {
    private ServerSubcommands() {
    }

    static int run(Callable<Integer> command, String name, List<String> args, PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setCommandName(name);
        return line.execute(args.toArray(String[]::new));
    }

    @Component(service = Subcommand.class, property = Subcommand.NAME + "=generate article")
    public static final class GenerateArticleSubcommand implements Subcommand {
        private final GenerationService service;

        @Activate
        public GenerateArticleSubcommand(@Reference GenerationService service) {
            this.service = service;
        }

        public String name() {
            return "generate article";
        }

        public String summary() {
            return "Write an article in a style from material (plan, style, evaluate)";
        }

        public int run(List<String> args, PrintStream out, PrintStream err) {
            return ServerSubcommands.run(new GenerateArticle(service, out), name(), args, out, err);
        }
    }

    @Component(service = Subcommand.class, property = Subcommand.NAME + "=models")
    public static final class ModelsSubcommand implements Subcommand {
        private final ModelCatalog models;
        private final StylePackRegistry styles;

        @Activate
        public ModelsSubcommand(@Reference ModelCatalog models, @Reference StylePackRegistry styles) {
            this.models = models;
            this.styles = styles;
        }

        public String name() {
            return "models";
        }

        public String summary() {
            return "List base models and the styles on each";
        }

        public int run(List<String> args, PrintStream out, PrintStream err) {
            return ServerSubcommands.run(new Models(models, styles, out), name(), args, out, err);
        }
    }
}
