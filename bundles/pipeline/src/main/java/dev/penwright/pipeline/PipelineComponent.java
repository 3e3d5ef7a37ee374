package dev.penwright.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.generate.QueueStatus;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.service.ServicesById;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link GenerationService}: planners, the Styler and evaluators come and go as bundles do; the component stays
 * up throughout and a request sees whatever is installed when it arrives. Limits change live through Config Admin.
 */
@Component(service = GenerationService.class, configurationPid = PipelineConfig.PID)
@Designate(ocd = PipelineConfig.class)
public final class PipelineComponent implements GenerationService, Pipeline.Services {
    private final ServicesById<Planner> planners = new ServicesById<>(Planner.ID, Planner::id);
    private final StylePackRegistry styles;
    private final Pipeline pipeline;

    private final Stylers stylers = new Stylers();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<Evaluator> evaluators;

    @Activate
    public PipelineComponent(@Reference StylePackRegistry styles, PipelineConfig config) {
        this.styles = styles;
        this.pipeline = new Pipeline(this, PipelineSettings.of(config));
    }

    @Modified
    void modified(PipelineConfig config) {
        pipeline.reconfigure(PipelineSettings.of(config));
    }

    @Deactivate
    void deactivate() {
        pipeline.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPlanner(Planner planner, Map<String, Object> properties) {
        planners.bind(planner, properties);
    }

    void removePlanner(Planner planner, Map<String, Object> properties) {
        planners.unbind(planner, properties);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addStyler(Styler styler, Map<String, Object> properties) {
        stylers.bind(styler, properties);
    }

    void removeStyler(Styler styler, Map<String, Object> properties) {
        stylers.unbind(styler);
    }

    @Override
    public CompletionStage<GenerationResult> generate(GenerationRequest request, TokenListener listener) {
        return pipeline.generate(request, listener);
    }

    @Override
    public QueueStatus queueStatus() {
        return pipeline.queueStatus();
    }

    @Override
    public String defaultPlannerId() {
        return pipeline.settings().defaultPlanner();
    }

    /** How long a request waits for the engine's replacement while its bundle is updated. */
    private static final Duration REPLACEMENT_WAIT = Duration.ofSeconds(20);
    /** How long after a styler went away a request still waits for its replacement. */
    private static final Duration REPLACEMENT_WINDOW = Duration.ofSeconds(60);

    @Override
    public Styler styler() {
        return stylers.await(null, REPLACEMENT_WAIT, REPLACEMENT_WINDOW);
    }

    @Override
    public Styler styler(StylePack pack) {
        return stylers.await(pack == null ? null : pack.descriptor().baseModel(), REPLACEMENT_WAIT, REPLACEMENT_WINDOW);
    }

    @Override
    public Planner planner(String id) {
        return planners.find(id).orElse(null);
    }

    @Override
    public Optional<StylePack> style(String id) {
        return styles.find(id);
    }

    @Override
    public List<Evaluator> evaluators() {
        List<Evaluator> current = evaluators;
        return current == null ? List.of() : current;
    }
}
