package dev.penwright.server.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code models}: the base models and the styles on each, as {@code GET /v1/models} lists them. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List base models and the active styles on each (the OpenAI model names).")
public final class Models implements Callable<Integer> {
    private final ModelCatalog models;
    private final StylePackRegistry styles;
    private final PrintStream out;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    public Models(ModelCatalog models, StylePackRegistry styles, PrintStream out) {
        this.models = models;
        this.styles = styles;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        List<StylePackEntry> active = styles.entries().stream().filter(e -> e.state() == StylePackState.ACTIVE)
                .toList();
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("models", models.models().stream().map(m -> Map.of("id", m.id(), "architecture",
                    m.architecture(), "parameters", m.parameters(), "directory", m.directory().toString(),
                    "fingerprint", m.fingerprint())).toList());
            body.put("styles", active.stream().map(s -> Map.of("id", s.id(), "version", s.version(),
                    "parent", s.baseModel())).toList());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(body));
            return 0;
        }
        if (models.models().isEmpty()) {
            out.println("no base models installed");
        }
        for (BaseModelInfo m : models.models()) {
            out.printf("%s  (%s, %,d parameters)  %s%n", m.id(), m.architecture(), m.parameters(), m.directory());
            active.stream().filter(s -> s.baseModel().equals(m.id()))
                    .forEach(s -> out.printf("  └ %s@%s  %s%n", s.id(), s.version(), s.name()));
        }
        active.stream().filter(s -> models.find(s.baseModel()).isEmpty())
                .forEach(s -> out.printf("%s@%s on missing base model %s%n", s.id(), s.version(), s.baseModel()));
        return 0;
    }
}
