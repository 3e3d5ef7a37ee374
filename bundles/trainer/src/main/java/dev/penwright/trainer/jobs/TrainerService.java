package dev.penwright.trainer.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.api.train.Trainer;
import dev.penwright.api.train.TrainingJob;
import dev.penwright.api.train.TrainingSpec;

/**
 * Runs training jobs in the background, one at a time: PyTorch allows one gradient collector per JVM, and two jobs
 * would only halve each other's share of the CPU. Jobs and their progress stay listed until the runtime stops.
 */
@Component(service = {Trainer.class, TrainerService.class})
public class TrainerService implements Trainer {
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "penwright-trainer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, BackgroundJob> jobs = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final AtomicLong counter = new AtomicLong();
    private final List<Planner> planners = new CopyOnWriteArrayList<>();
    /** The pipeline, whose configuration names the default planner (as for /v1/plan); optional. */
    private final AtomicReference<GenerationService> generation = new AtomicReference<>();
    /** The style-pack registry, which knows the deploy folder {@code --deploy} copies into; optional. */
    private final AtomicReference<StylePackRegistry> styles = new AtomicReference<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addPlanner(Planner planner) {
        planners.add(planner);
    }

    void removePlanner(Planner planner) {
        planners.remove(planner);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void setGeneration(GenerationService service) {
        generation.set(service);
    }

    void unsetGeneration(GenerationService service) {
        generation.compareAndSet(service, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void setStyles(StylePackRegistry registry) {
        styles.set(registry);
    }

    void unsetStyles(StylePackRegistry registry) {
        styles.compareAndSet(registry, null);
    }

    @Deactivate
    void deactivate() {
        jobs.values().forEach(BackgroundJob::cancel);
        worker.shutdownNow();
    }

    /**
     * The planner named {@code id}; for none (null or blank), the pipeline's configured default planner
     * ({@link GenerationService#defaultPlannerId()}, {@value GenerationService#DEFAULT_PLANNER} when no pipeline is
     * running), else any.
     */
    public Planner planner(String id) {
        for (Planner p : planners) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        if (id != null && !id.isBlank()) {
            throw new IllegalArgumentException("no planner '" + id + "' (available: "
                    + planners.stream().map(Planner::id).toList() + ")");
        }
        String defaultId = defaultPlannerId();
        return planners.stream().filter(p -> p.id().equals(defaultId)).findFirst()
                .orElse(planners.isEmpty() ? null : planners.get(0));
    }

    /** The pipeline's configured default planner id; {@value GenerationService#DEFAULT_PLANNER} without a pipeline. */
    public String defaultPlannerId() {
        GenerationService g = generation.get();
        return g == null ? GenerationService.DEFAULT_PLANNER : g.defaultPlannerId();
    }

    /** The deploy folder {@code --deploy} copies into, as the style-pack registry has it; null when there is none. */
    public Path deployDir() {
        StylePackRegistry registry = styles.get();
        return registry == null ? null : registry.deployFolder().orElse(null);
    }

    @Override
    public TrainingJob submit(TrainingSpec spec, Consumer<JobProgress> listener) {
        // A mistake in the request is the caller's error now, not a failed job later.
        JobRunner.checkOptions(spec);
        String id = spec.kind().name().toLowerCase(java.util.Locale.ROOT) + "-" + counter.incrementAndGet();
        BackgroundJob job = new BackgroundJob(id, spec);
        jobs.put(id, job);
        order.add(id);
        Consumer<JobProgress> sink = p -> {
            job.progress(p);
            if (listener != null) {
                listener.accept(p);
            }
        };
        worker.submit(() -> {
            if (job.isCancelled()) {
                finish(job, JobState.CANCELLED, "cancelled before it started", null, sink);
                return;
            }
            sink.accept(new JobProgress(id, JobState.RUNNING, "start", 0, 0, Double.NaN, 0, 0, -1, "started"));
            try {
                Path result = JobRunner.run(spec, id, planner(spec.options().getOrDefault("planner", "")),
                        deployDir(), sink, job::isCancelled);
                finish(job, job.isCancelled() ? JobState.CANCELLED : JobState.SUCCEEDED, "wrote " + result, result,
                        sink);
            } catch (Exception | Error e) {
                finish(job, job.isCancelled() ? JobState.CANCELLED : JobState.FAILED,
                        e.getMessage() == null ? e.toString() : e.getMessage(), null, sink);
                job.future().completeExceptionally(e);
            }
        });
        return job;
    }

    private static void finish(BackgroundJob job, JobState state, String message, Path result,
                               Consumer<JobProgress> sink) {
        JobProgress last = job.progress();
        sink.accept(new JobProgress(job.id(), state, last.phase(), last.step(), last.totalSteps(), last.loss(),
                last.learningRate(), last.tokensPerSecond(), 0, message));
        if (result != null) {
            job.future().complete(result);
        } else if (state == JobState.CANCELLED) {
            job.future().cancel(false);
        }
    }

    @Override
    public List<TrainingJob> jobs() {
        List<TrainingJob> out = new ArrayList<>();
        order.forEach(id -> out.add(jobs.get(id)));
        return out;
    }

    @Override
    public Optional<TrainingJob> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }
}
