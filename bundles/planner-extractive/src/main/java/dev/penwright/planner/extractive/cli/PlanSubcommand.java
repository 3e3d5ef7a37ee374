package dev.penwright.planner.extractive.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.service.ServicesById;
import picocli.CommandLine;

/**
 * {@code ./penwright plan [--planner ID] [--json] <file|text>}, and {@code pen:plan} in the shell. Lives with the
 * extractive planner because that one is always there; it sees every Planner service, LLM planners included, and
 * plans with the pipeline's default planner when {@code --planner} is not given.
 */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=" + PlanSubcommand.NAME)
public class PlanSubcommand implements Subcommand, PlanCommand.PlannerLookup {
    static final String NAME = "plan";

    private final ServicesById<Planner> planners = new ServicesById<>(Planner.ID, Planner::id);

    /**
     * The pipeline, whose configuration names the default planner (as for /v1/plan). Optional and dynamic: the
     * command works without a pipeline, with the embedded planner.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile GenerationService generation;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPlanner(Planner planner, Map<String, Object> properties) {
        planners.bind(planner, properties);
    }

    void removePlanner(Planner planner, Map<String, Object> properties) {
        planners.unbind(planner, properties);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "Print the content plan a planner makes of a text or a file";
    }

    @Override
    public Planner find(String id) {
        return planners.find(id).orElse(null);
    }

    @Override
    public List<String> ids() {
        return planners.ids();
    }

    @Override
    public String defaultId() {
        GenerationService g = generation;
        return g == null ? GenerationService.DEFAULT_PLANNER : g.defaultPlannerId();
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return execute(this, args, out, err);
    }

    static int execute(PlanCommand.PlannerLookup planners, List<String> args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new PlanCommand(planners, o, e));
        cl.setOut(o);
        cl.setErr(e);
        int status = cl.execute(args.toArray(String[]::new));
        o.flush();
        e.flush();
        return status;
    }
}
