package dev.penwright.bench.internal;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.Styler;
import dev.penwright.bench.BenchNotesCommand;
import dev.penwright.engine.Engine;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./penwright bench notes}. Planners, the Styler, the engine, the model catalog, the packs and the LLM endpoints
 * are read when the command runs (greedy references), so a row becomes available as soon as its system is installed.
 */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=bench notes")
public class BenchNotesSubcommand implements Subcommand {
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Planner> planners;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile Styler styler;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<StylePack> packs;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile Engine engine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile ModelCatalog models;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<LlmEndpoint> endpoints;

    /** The pipeline, whose configuration names the default planner (as for /v1/plan); optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile GenerationService generation;

    @Override
    public String name() {
        return "bench notes";
    }

    @Override
    public String summary() {
        return "Style-imitation benchmark (paper's Table 1): ROUGE-L, BLEU-4, style, hallucination a system and style";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Map<String, Planner> byId = new LinkedHashMap<>();
        for (Planner p : planners == null ? List.<Planner>of() : planners) {
            byId.putIfAbsent(p.id(), p);
        }
        PrintWriter writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new BenchNotesCommand(byId, styler,
                packs == null ? List.of() : packs, engine, models, endpoints == null ? List.of() : endpoints, writer,
                err).defaultPlanner(defaultPlanner()));
        cl.setOut(writer);
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("bench notes: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args.toArray(String[]::new));
    }

    private String defaultPlanner() {
        GenerationService g = generation;
        return g == null ? GenerationService.DEFAULT_PLANNER : g.defaultPlannerId();
    }
}
