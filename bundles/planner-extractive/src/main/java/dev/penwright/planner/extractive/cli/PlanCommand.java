package dev.penwright.planner.extractive.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code plan} command's logic: read the material, ask the chosen planner, print the plan. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the content plan a planner makes of a text or a file.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the plan was printed", "1:planning failed or the material could not be read",
                "2:bad arguments, or no planner with that id"})
public class PlanCommand implements Callable<Integer> {
    @Option(names = "--planner", paramLabel = "ID",
            description = "planner id (default: the pipeline's configured default planner, the one /v1/generate and "
                    + "/v1/plan use; extractive when no pipeline is running)")
    String plannerId;

    @Option(names = "--json", description = "print the plan as JSON")
    boolean json;

    @Option(names = "--brief", description = "treat the input as a brief (an instruction), not an article")
    boolean brief;

    @Option(names = "--fact", paramLabel = "FACT", description = "a fact to keep verbatim (repeatable)")
    List<String> facts = new ArrayList<>();

    @Option(names = "--language", paramLabel = "TAG", description = "BCP 47 tag (default: detected)")
    String language = "";

    @Parameters(paramLabel = "FILE|TEXT", arity = "1..*",
            description = "a file to read, or the text itself (several words are joined)")
    List<String> input;

    private final PlannerLookup planners;
    private final PrintWriter out;
    private final PrintWriter err;

    /** Finds planners by id and lists the ids there are. */
    public interface PlannerLookup {
        Planner find(String id);

        List<String> ids();

        /** The planner used when {@code --planner} is not given: the pipeline's default, else the embedded one. */
        default String defaultId() {
            return GenerationService.DEFAULT_PLANNER;
        }
    }

    public PlanCommand(PlannerLookup planners, PrintWriter out, PrintWriter err) {
        this.planners = planners;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (plannerId == null) {
            plannerId = planners.defaultId();
        }
        Planner planner = planners.find(plannerId);
        if (planner == null) {
            err.println("no planner '" + plannerId + "'; available: " + String.join(", ", planners.ids()));
            return 2;
        }
        String text;
        try {
            text = readInput();
        } catch (IOException e) {
            err.println("cannot read " + input.get(0) + ": " + e.getMessage());
            return 1;
        }
        Material material = brief ? new Material(text, facts, "", language) : new Material("", facts, text, language);
        try {
            ContentPlan plan = planner.plan(material);
            out.println(json ? toJson(plan) : readable(plan));
            return 0;
        } catch (PlanningException e) {
            err.println("planning failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("cannot write the plan as JSON: " + e.getMessage());
            return 1;
        }
    }

    private String readInput() throws IOException {
        if (input.size() == 1) {
            Path path = Path.of(input.get(0));
            if (Files.isRegularFile(path)) {
                return Files.readString(path, StandardCharsets.UTF_8);
            }
        }
        return String.join(" ", input);
    }

    static String toJson(ContentPlan plan) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plan);
    }

    static String readable(ContentPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("Title:     ").append(plan.title()).append('\n');
        sb.append("Language:  ").append(plan.language()).append("    Planner: ").append(plan.plannerId())
                .append("    Tokens: ").append(plan.usage().inputTokens()).append(" in, ")
                .append(plan.usage().outputTokens()).append(" out\n");
        sb.append("Summary:   ").append(plan.summary()).append("\n\nKey facts:\n");
        for (String fact : plan.keyFacts()) {
            sb.append("  - ").append(fact).append('\n');
        }
        sb.append("\nNeutral draft:\n").append(plan.neutralDraft());
        sb.append('\n');
        if (!plan.numberedItems().isEmpty()) {
            sb.append("\nNumbered list items (numbered again when styled):\n");
            plan.numberedItems().forEach(item -> sb.append("  ").append(item.number()).append(". ")
                    .append(item.text()).append('\n'));
        }
        for (var block : plan.verbatimBlocks()) {
            sb.append("\nVerbatim block, after \"").append(block.after()).append("\":\n");
            block.text().lines().forEach(line -> sb.append("    ").append(line).append('\n'));
        }
        return sb.toString().stripTrailing();
    }
}
