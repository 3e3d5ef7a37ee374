package dev.penwright.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.generate.QueueStatus;
import dev.penwright.api.generate.Timings;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;

/**
 * One request's flow, independent of OSGi so that tests drive it directly: admission, plan, style (k candidates
 * submitted together so that the engine batches them), evaluate, pick the best. The Styler and the style pack are
 * looked up once, when the request arrives, and held to the end: an update of either never switches a request
 * mid-way. Completing the returned future (by cancellation or the timeout) cancels the engine's work and frees the
 * slot.
 */
public final class Pipeline implements AutoCloseable {
    /** What the pipeline needs from its environment: the services present right now. */
    public interface Services {
        Styler styler();

        /**
         * The styler that renders {@code pack}: by default the one {@link #styler()}; a component with remote
         * stylers picks the one serving the pack's base model.
         */
        default Styler styler(StylePack pack) {
            return styler();
        }

        Planner planner(String id);

        java.util.Optional<StylePack> style(String id);

        List<Evaluator> evaluators();

        /**
         * Whether the registry lists the style as active even if {@link #style} finds no pack: an update is under
         * way (the old version is gone, the new not yet registered).
         */
        default boolean styleListed(String id) {
            return false;
        }
    }

    /** How long a request waits for the new version of a pack that is being updated. */
    static final long UPDATE_GRACE_MILLIS = 3000;

    private final Services services;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Admission admission;
    private volatile PipelineSettings settings;

    public Pipeline(Services services, PipelineSettings settings) {
        this.services = services;
        this.settings = settings;
        this.admission = new Admission(settings.maxConcurrent(), settings.maxQueued());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "penwright-pipeline-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "penwright-pipeline-timer"));
    }

    public void reconfigure(PipelineSettings settings) {
        this.settings = settings;
        admission.resize(settings.maxConcurrent(), settings.maxQueued());
    }

    public PipelineSettings settings() {
        return settings;
    }

    public QueueStatus queueStatus() {
        return admission.status();
    }

    public CompletableFuture<GenerationResult> generate(GenerationRequest request, TokenListener listener) {
        long arrived = System.nanoTime();
        PipelineSettings limits = settings;
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        Held held;
        CompletableFuture<Admission.Slot> ticket;
        try {
            held = hold(request, limits);
            ticket = admission.enter();
        } catch (GenerationException e) {
            result.completeExceptionally(e);
            return result;
        }
        TokenListener sink = listener == null ? TokenListener.NONE : listener;
        List<CompletableFuture<StyledText>> inFlight = new CopyOnWriteArrayList<>();
        var timeout = timer.schedule(() -> result.completeExceptionally(new GenerationException(
                GenerationException.TIMEOUT, "no answer within " + limits.timeoutSeconds() + " s")),
                limits.timeoutSeconds(), TimeUnit.SECONDS);
        result.whenComplete((r, failure) -> {
            timeout.cancel(false);
            ticket.cancel(false);
            inFlight.forEach(f -> f.cancel(true));
            ticket.thenAccept(Admission.Slot::release);
        });
        ticket.thenAcceptAsync(slot -> {
            if (result.isDone()) {
                slot.release();
                return;
            }
            try {
                run(request, held, sink, arrived, inFlight, result);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, workers);
        return result;
    }

    /** The services and pack a request keeps from arrival to answer; refuses the request early when one is missing. */
    private record Held(Styler styler, StylePack pack, Planner planner, int bestOf) {
    }

    private Held hold(GenerationRequest request, PipelineSettings limits) {
        if (request.plan() == null && (request.material() == null || request.material().isEmpty())) {
            throw new GenerationException(GenerationException.INVALID_REQUEST,
                    "give material (brief, facts or a source article) or a ready plan");
        }
        if (request.bestOf() > limits.maxBestOf()) {
            throw new GenerationException(GenerationException.INVALID_REQUEST,
                    "best_of " + request.bestOf() + " exceeds the limit of " + limits.maxBestOf());
        }
        GenerationOptions o = request.options();
        if ((o.maxNewTokens() != null && o.maxNewTokens() < 1) || (o.temperature() != null && o.temperature() < 0)
                || (o.topK() != null && o.topK() < 0) || (o.topP() != null && (o.topP() <= 0 || o.topP() > 1))
                || (o.repetitionPenalty() != null && o.repetitionPenalty() <= 0)) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "options out of range: max tokens"
                    + " >= 1, temperature >= 0, top_k >= 0, 0 < top_p <= 1, repetition penalty > 0");
        }
        StylePack pack = null;
        if (!request.styleId().isEmpty()) {
            pack = findStyle(request.styleId());
        }
        Planner planner = null;
        if (request.plan() == null) {
            String id = request.plannerId().isEmpty() ? limits.defaultPlanner() : request.plannerId();
            planner = services.planner(id);
            if (planner == null) {
                throw new GenerationException(GenerationException.PLANNER_NOT_FOUND, "no planner '" + id + "'");
            }
        }
        Styler styler = services.styler(pack);
        if (styler == null) {
            throw new GenerationException(GenerationException.NO_STYLER,
                    "no Styler service is installed: the small-model engine is missing, so no text can be written");
        }
        return new Held(styler, pack, planner, request.bestOf());
    }

    /** The pack now, or, while it is being updated, its next version: a request never fails for an update. */
    private StylePack findStyle(String id) {
        long deadline = System.nanoTime() + UPDATE_GRACE_MILLIS * 1_000_000;
        while (true) {
            java.util.Optional<StylePack> pack = services.style(id);
            if (pack.isPresent()) {
                return pack.get();
            }
            if (!services.styleListed(id) || System.nanoTime() > deadline) {
                throw new GenerationException(GenerationException.STYLE_NOT_FOUND, "no active style pack '" + id + "'");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenerationException(GenerationException.UNAVAILABLE, "interrupted", 0, e);
            }
        }
    }

    private void run(GenerationRequest request, Held held, TokenListener listener, long arrived,
                     List<CompletableFuture<StyledText>> inFlight, CompletableFuture<GenerationResult> result) {
        long started = System.nanoTime();
        ContentPlan plan = request.plan();
        if (plan == null) {
            try {
                plan = held.planner().plan(request.material());
            } catch (PlanningException e) {
                throw new GenerationException(GenerationException.PLANNING_FAILED, e.getMessage(), 0, e);
            } catch (RuntimeException e) {
                throw new GenerationException(GenerationException.PLANNING_FAILED,
                        "planner '" + held.planner().id() + "' failed: " + e, 0, e);
            }
        }
        long planned = System.nanoTime();
        if (result.isDone()) {
            return;
        }
        ContentPlan finalPlan = plan;
        int k = held.bestOf();
        GenerationOptions base = request.options();
        for (int i = 0; i < k; i++) {
            GenerationOptions options = k == 1 ? base : withSeed(base, i);
            // Only a single candidate streams: with k > 1 the text shown must be the one kept.
            TokenListener each = k == 1 ? listener : TokenListener.NONE;
            CompletableFuture<StyledText> styled;
            try {
                styled = held.styler().style(new StyleRequest(finalPlan, held.pack(), options), each)
                        .toCompletableFuture();
            } catch (RuntimeException e) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "the engine refused: " + e, 0, e);
            }
            inFlight.add(styled);
        }
        if (result.isDone()) {
            inFlight.forEach(f -> f.cancel(true));
            return;
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).whenCompleteAsync((v, failure) -> {
            if (result.isDone()) {
                return;
            }
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    throw cause instanceof GenerationException g ? g : new GenerationException(
                            GenerationException.UNAVAILABLE, "the engine failed: " + cause, 0, cause);
                }
                long styledAt = System.nanoTime();
                List<StyledText> texts = inFlight.stream().map(CompletableFuture::join).toList();
                List<List<Score>> scores = texts.stream().map(t -> evaluate(t, request, finalPlan, held)).toList();
                int best = k == 1 ? 0 : Candidates.best(scores);
                StyledText chosen = texts.get(best);
                if (k > 1) {
                    listener.onText(chosen.text());
                }
                long done = System.nanoTime();
                Timings timings = new Timings(millis(arrived, started), millis(started, planned),
                        millis(planned, styledAt), millis(styledAt, done), millis(arrived, done));
                result.complete(new GenerationResult(chosen.text(), finalPlan, scores.get(best),
                        held.pack() == null ? "" : held.pack().ref(), chosen.modelId(), chosen.generatedTokens(),
                        timings, chosen.promptTokens(), chosen.finishReason()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, workers);
    }

    private List<Score> evaluate(StyledText text, GenerationRequest request, ContentPlan plan, Held held) {
        if (!settings.evaluate()) {
            return List.of();
        }
        EvaluationInput input = new EvaluationInput("candidate", text.text(), null, plan,
                request.plan() == null ? request.material() : null,
                held.pack() == null ? null : held.pack().descriptor().id(), plan.language());
        List<Score> scores = new ArrayList<>();
        for (Evaluator evaluator : services.evaluators()) {
            try {
                if (evaluator.accepts(input)) {
                    var evaluation = evaluator.evaluate(List.of(input));
                    if (!evaluation.perItem().isEmpty()) {
                        scores.addAll(evaluation.perItem().get(0));
                    }
                }
            } catch (RuntimeException e) {
                // One broken evaluator must not fail the article; its scores are simply missing.
            }
        }
        return scores;
    }

    /** Candidate i of best-of-k samples with its own seed, so the k texts differ but stay reproducible. */
    private static GenerationOptions withSeed(GenerationOptions o, int i) {
        long seed = (o.seed() == null ? 0L : o.seed()) + i;
        return o.withSeed(seed);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
