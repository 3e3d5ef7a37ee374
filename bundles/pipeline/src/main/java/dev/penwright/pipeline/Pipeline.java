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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pipeline.class);

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
    }

    /**
     * How long {@link #close()} lets requests in flight finish before it refuses them: short, because a runtime told
     * to stop (SIGTERM) must be gone within 3 s on a loaded machine (stopping the rest and the JVM take over a second
     * there), and a refused request is answered at once with a code to retry on.
     */
    static final long DRAIN_MILLIS = 300;
    /** How many times a request looks a style up again when the version it found was withdrawn meanwhile. */
    private static final int FIND_ATTEMPTS = 3;

    private final Services services;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Admission admission;
    private final java.util.Set<CompletableFuture<GenerationResult>> running =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
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
            if (closing) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "the server is stopping");
            }
            held = hold(request, limits);
        } catch (GenerationException e) {
            result.completeExceptionally(e);
            return result;
        }
        try {
            ticket = admission.enter();
        } catch (GenerationException e) {
            held.packHold().close();
            result.completeExceptionally(e);
            return result;
        }
        running.add(result);
        TokenListener sink = listener == null ? TokenListener.NONE : listener;
        List<CompletableFuture<StyledText>> inFlight = new CopyOnWriteArrayList<>();
        var timeout = timer.schedule(() -> result.completeExceptionally(new GenerationException(
                GenerationException.TIMEOUT, "no answer within " + limits.timeoutSeconds() + " s")),
                limits.timeoutSeconds(), TimeUnit.SECONDS);
        result.whenComplete((r, failure) -> {
            running.remove(result);
            held.packHold().close();
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
    private record Held(Styler styler, StylePack pack, StylePack.Hold packHold, Planner planner, int bestOf) {
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
        Planner planner = null;
        if (request.plan() == null) {
            String id = request.plannerId().isEmpty() ? limits.defaultPlanner() : request.plannerId();
            planner = services.planner(id);
            if (planner == null) {
                throw new GenerationException(GenerationException.PLANNER_NOT_FOUND, "no planner '" + id + "'");
            }
        }
        if (request.styleId().isEmpty()) {
            return new Held(stylerFor(null), null, StylePack.Hold.NONE, planner, request.bestOf());
        }
        // Last, so that nothing after it can fail and leave the pack held.
        StylePack pack = null;
        for (int attempt = 0; attempt < FIND_ATTEMPTS; attempt++) {
            pack = services.style(request.styleId()).orElseThrow(() -> new GenerationException(
                    GenerationException.STYLE_NOT_FOUND, "no active style pack '" + request.styleId() + "'"));
            Styler styler = stylerFor(pack);
            java.util.Optional<StylePack.Hold> packHold = pack.hold();
            if (packHold.isPresent()) {
                return new Held(styler, pack, packHold.get(), planner, request.bestOf());
            }
            // That version was withdrawn between the look-up and the hold; its successor is registered already
            // (an update registers the new version before it withdraws the old one).
        }
        throw new GenerationException(GenerationException.UNAVAILABLE, "style pack " + pack.ref()
                + " was replaced " + FIND_ATTEMPTS + " times while the request started; retry");
    }

    /** The styler that renders {@code pack} (the local engine, or a remote serving its base model). */
    private Styler stylerFor(StylePack pack) {
        Styler styler = pack == null ? services.styler() : services.styler(pack);
        if (styler == null) {
            throw new GenerationException(GenerationException.NO_STYLER,
                    "no Styler service is installed: the small-model engine is missing, so no text can be written");
        }
        return styler;
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
                // One broken evaluator must not fail the article; its scores are missing, and the log says why.
                LOG.warn("evaluator {} failed; its scores are left out of this article", evaluator.id(), e);
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

    /**
     * Stops: new requests are refused at once, requests in flight get {@link #DRAIN_MILLIS} to finish, and the rest
     * are refused (UNAVAILABLE), so that every caller gets an answer before the HTTP server goes.
     */
    @Override
    public void close() {
        closing = true;
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                    .get(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // Still running (or failed): refused below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CompletableFuture<GenerationResult> left : running) {
            left.completeExceptionally(new GenerationException(GenerationException.UNAVAILABLE,
                    "the server is stopping; the request was not finished"));
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
