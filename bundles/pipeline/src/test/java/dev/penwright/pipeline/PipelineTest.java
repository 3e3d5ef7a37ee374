package dev.penwright.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's own logic: admission, timeouts, cancellation, best-of-k, holding the pack. The Styler here is a
 * small threaded writer that echoes the plan's facts word by word, with a controllable pace, so that queueing and
 * cancellation are observable; the engine's own tests cover the model.
 */
class PipelineTest {
    private final Env env = new Env();
    private Pipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        env.writer.stop();
    }

    private Pipeline start(PipelineSettings settings) {
        pipeline = new Pipeline(env, settings);
        return pipeline;
    }

    private static GenerationRequest request(String style, String brief) {
        return new GenerationRequest(style, new Material(brief, List.of("fact one", "fact two"), "", "en"), null, "",
                null, 1);
    }

    @Test
    void writesPlanThenStyleThenScoresAndStreamsTheText() throws Exception {
        start(PipelineSettings.DEFAULTS);
        env.evaluators.add(new FixedStyleEvaluator(Map.of()));
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = pipeline.generate(request("house", "write about facts"), streamed::append)
                .get(10, TimeUnit.SECONDS);
        assertEquals("fact one fact two", result.text());
        assertEquals(result.text(), streamed.toString());
        assertEquals("house@1.0.0", result.styleRef());
        assertEquals("write about facts", result.plan().title());
        assertEquals(4, result.generatedTokens());
        assertEquals("styleScore", result.scores().get(0).name());
        assertTrue(result.timings().totalMillis() >= result.timings().styleMillis());
    }

    @Test
    void aReadyPlanSkipsThePlanner() throws Exception {
        start(PipelineSettings.DEFAULTS);
        ContentPlan plan = new ContentPlan("T", "S", List.of("given"), "draft", "en", "client", null);
        GenerationResult result = pipeline.generate(new GenerationRequest("", null, plan, "no-such-planner", null, 1),
                TokenListener.NONE).get(10, TimeUnit.SECONDS);
        assertEquals("given", result.text());
        assertEquals(0, env.plannerCalls.get());
        assertEquals("", result.styleRef());
    }

    @Test
    void missingPiecesAreRefusedWithTheirCodes() {
        start(PipelineSettings.DEFAULTS);
        assertCode(GenerationException.STYLE_NOT_FOUND, request("nope", "x"));
        assertCode(GenerationException.PLANNER_NOT_FOUND,
                new GenerationRequest("", new Material("x", null, null, null), null, "llm", null, 1));
        assertCode(GenerationException.INVALID_REQUEST, new GenerationRequest("", Material.ofArticle(" "), null, "",
                null, 1));
        assertCode(GenerationException.INVALID_REQUEST, new GenerationRequest("", Material.ofArticle("x"), null, "",
                null, 99));
        assertCode(GenerationException.INVALID_REQUEST, new GenerationRequest("", Material.ofArticle("x"), null, "",
                new GenerationOptions(0, null, null, null, null, null, null), 1));
        assertCode(GenerationException.PLANNING_FAILED, request("", "fail"));
        env.styler = null;
        assertCode(GenerationException.NO_STYLER, request("", "x"));
    }

    @Test
    void aFullQueueRefusesWithRetryAfterAndACancelledRequestFreesItsSlot() throws Exception {
        start(new PipelineSettings(1, 1, 60, "extractive", 4, false));
        env.writer.paceMillis = 200;
        CompletableFuture<GenerationResult> running = pipeline.generate(request("", "first"), TokenListener.NONE);
        awaitTrue(() -> env.writer.active.size() == 1);
        CompletableFuture<GenerationResult> waiting = pipeline.generate(request("", "second"), TokenListener.NONE);
        assertEquals(1, pipeline.queueStatus().queued());
        GenerationException full = codeOf(pipeline.generate(request("", "third"), TokenListener.NONE));
        assertEquals(GenerationException.QUEUE_FULL, full.code());
        assertTrue(full.retryAfterSeconds() >= 1);

        // The client of the running request goes away: the engine's work is cancelled and the waiter gets the slot.
        CompletableFuture<StyledText> engineWork = env.writer.active.get(0);
        running.cancel(true);
        awaitTrue(engineWork::isCancelled);
        env.writer.paceMillis = 0;
        assertEquals("fact one fact two", waiting.get(10, TimeUnit.SECONDS).text());
        awaitTrue(() -> pipeline.queueStatus().running() == 0);
    }

    @Test
    void aCancelledWaiterLeavesTheQueue() throws Exception {
        start(new PipelineSettings(1, 2, 60, "extractive", 4, false));
        env.writer.paceMillis = 100;
        CompletableFuture<GenerationResult> running = pipeline.generate(request("", "a"), TokenListener.NONE);
        CompletableFuture<GenerationResult> waiter = pipeline.generate(request("", "b"), TokenListener.NONE);
        assertEquals(1, pipeline.queueStatus().queued());
        waiter.cancel(true);
        assertEquals(0, pipeline.queueStatus().queued());
        running.get(10, TimeUnit.SECONDS);
        awaitTrue(() -> pipeline.queueStatus().running() == 0);
        assertEquals(1, env.plannerCalls.get());
    }

    @Test
    void aSlowRequestTimesOutAndItsEngineWorkIsCancelled() throws Exception {
        start(new PipelineSettings(2, 2, 1, "extractive", 4, false));
        env.writer.paceMillis = 5_000;
        long t0 = System.nanoTime();
        GenerationException e = codeOf(pipeline.generate(request("", "slow"), TokenListener.NONE));
        assertEquals(GenerationException.TIMEOUT, e.code());
        assertTrue((System.nanoTime() - t0) / 1e9 < 3);
        awaitTrue(() -> env.writer.active.stream().allMatch(CompletableFuture::isDone));
        awaitTrue(() -> pipeline.queueStatus().running() == 0);
    }

    @Test
    void bestOfKSamplesKWithDistinctSeedsAndKeepsTheBestScored() throws Exception {
        start(PipelineSettings.DEFAULTS);
        // Seed 2 has the best style but hallucinates; seed 1 is the best faithful one.
        env.evaluators.add(new FixedStyleEvaluator(Map.of(0L, 50.0, 1L, 70.0, 2L, 90.0)));
        env.evaluators.add(new Evaluator() {
            public String id() {
                return "hallucination";
            }

            public boolean accepts(EvaluationInput input) {
                return true;
            }

            public Evaluation evaluate(List<EvaluationInput> inputs) {
                double rate = inputs.get(0).hypothesis().endsWith("seed=2") ? 100 : 0;
                return new Evaluation(List.of(), List.of(List.of(new Score("faithfulnessHallucination", rate, "test"))));
            }
        });
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = pipeline.generate(new GenerationRequest("house", Material.ofArticle("x"), null, "",
                new GenerationOptions(null, 0.9, null, null, null, 0L, null), 3), streamed::append)
                .get(10, TimeUnit.SECONDS);
        assertEquals(List.of(0L, 1L, 2L), env.seeds.stream().sorted().toList());
        assertTrue(result.text().endsWith("seed=1"), result.text());
        assertEquals(result.text(), streamed.toString(), "only the kept candidate is shown");
    }

    @Test
    void aRequestKeepsThePackItStartedWithWhenTheStyleIsUpdated() throws Exception {
        start(PipelineSettings.DEFAULTS);
        env.writer.paceMillis = 100;
        CompletableFuture<GenerationResult> inFlight = pipeline.generate(request("house", "x"), TokenListener.NONE);
        awaitTrue(() -> env.writer.active.size() == 1);
        env.packs.put("house", new Pack("house", "2.0.0"));
        assertEquals("house@1.0.0", inFlight.get(10, TimeUnit.SECONDS).styleRef());
        env.writer.paceMillis = 0;
        assertEquals("house@2.0.0", pipeline.generate(request("house", "x"), TokenListener.NONE)
                .get(10, TimeUnit.SECONDS).styleRef());
    }

    @Test
    void aRequestThatFindsAVersionJustWithdrawnTakesItsSuccessorAndEveryHoldIsReleased() throws Exception {
        start(PipelineSettings.DEFAULTS);
        Pack successor = new Pack("house", "3.0.0");
        // The race an update leaves: the version looked up is withdrawn (and replaced) before the request holds it.
        env.packs.put("house", new Pack("house", "2.0.0") {
            @Override
            public Optional<Hold> hold() {
                env.packs.put("house", successor);
                return Optional.empty();
            }
        });
        assertEquals("house@3.0.0", pipeline.generate(request("house", "x"), TokenListener.NONE)
                .get(10, TimeUnit.SECONDS).styleRef());
        awaitTrue(() -> successor.holds.get() == 0);
        assertTrue(successor.held.get() >= 1, "the successor was never held");
        env.packs.remove("house");
        assertCode(GenerationException.STYLE_NOT_FOUND, request("house", "x"));
    }

    @Test
    void closingRefusesNewRequestsAndAnswersThoseInFlightWithinTheDrain() throws Exception {
        start(PipelineSettings.DEFAULTS);
        env.writer.paceMillis = 10_000;
        CompletableFuture<GenerationResult> inFlight = pipeline.generate(request("house", "x"), TokenListener.NONE);
        awaitTrue(() -> env.writer.active.size() == 1);
        long started = System.nanoTime();
        pipeline.close();
        long closeMillis = (System.nanoTime() - started) / 1_000_000;
        ExecutionException refused = assertThrows(ExecutionException.class, () -> inFlight.get(1, TimeUnit.SECONDS));
        assertEquals(GenerationException.UNAVAILABLE, ((GenerationException) refused.getCause()).code());
        assertTrue(closeMillis < Pipeline.DRAIN_MILLIS + 500, "close took " + closeMillis + " ms");
        assertCode(GenerationException.UNAVAILABLE, request("house", "x"));
        awaitTrue(() -> ((Pack) env.packs.get("house")).holds.get() == 0);
    }

    @Test
    void limitsChangeLive() throws Exception {
        start(new PipelineSettings(1, 0, 60, "extractive", 4, false));
        env.writer.paceMillis = 100;
        CompletableFuture<GenerationResult> first = pipeline.generate(request("", "a"), TokenListener.NONE);
        assertEquals(GenerationException.QUEUE_FULL, codeOf(pipeline.generate(request("", "b"),
                TokenListener.NONE)).code());
        pipeline.reconfigure(new PipelineSettings(2, 0, 60, "extractive", 4, false));
        CompletableFuture<GenerationResult> second = pipeline.generate(request("", "b"), TokenListener.NONE);
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
    }

    private void assertCode(String code, GenerationRequest request) {
        assertEquals(code, codeOf(pipeline.generate(request, TokenListener.NONE)).code());
    }

    private static GenerationException codeOf(CompletableFuture<GenerationResult> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(GenerationException.class, e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    /** What the pipeline sees of the OSGi services. */
    static final class Env implements Pipeline.Services {
        final Map<String, StylePack> packs = new ConcurrentHashMap<>(Map.of("house", new Pack("house", "1.0.0")));
        final List<Evaluator> evaluators = new CopyOnWriteArrayList<>();
        final List<Long> seeds = new CopyOnWriteArrayList<>();
        final AtomicInteger plannerCalls = new AtomicInteger();
        final FactWriter writer = new FactWriter(seeds);
        volatile Styler styler = writer;

        @Override
        public Styler styler() {
            return styler;
        }

        @Override
        public Planner planner(String id) {
            if (!id.equals("extractive")) {
                return null;
            }
            return new Planner() {
                public String id() {
                    return "extractive";
                }

                public ContentPlan plan(Material m) throws PlanningException {
                    plannerCalls.incrementAndGet();
                    if (m.brief().equals("fail")) {
                        throw new PlanningException("nothing to plan");
                    }
                    List<String> facts = m.facts().isEmpty() ? List.of(m.sourceArticle()) : m.facts();
                    return new ContentPlan(m.brief(), "", facts, String.join(". ", facts), "en", "extractive", null);
                }
            };
        }

        @Override
        public Optional<StylePack> style(String id) {
            return Optional.ofNullable(packs.get(id));
        }

        @Override
        public List<Evaluator> evaluators() {
            return evaluators;
        }
    }

    /** Writes the plan's facts one word a step on its own thread; a cancelled request stops it. */
    static final class FactWriter implements Styler {
        final List<CompletableFuture<StyledText>> active = new CopyOnWriteArrayList<>();
        final List<Long> seeds;
        volatile long paceMillis;
        private final List<Thread> threads = new ArrayList<>();

        FactWriter(List<Long> seeds) {
            this.seeds = seeds;
        }

        @Override
        public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
            CompletableFuture<StyledText> done = new CompletableFuture<>();
            active.add(done);
            Long seed = request.options().seed();
            if (seed != null) {
                seeds.add(seed);
            }
            AtomicReference<String> ref = new AtomicReference<>(request.pack() == null ? "" : request.pack().ref());
            Thread t = new Thread(() -> {
                String text = String.join(" ", request.plan().keyFacts()) + (seed != null && seeds.size() > 0
                        && request.options().temperature() != null ? " seed=" + seed : "");
                String[] words = text.split(" ");
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < words.length && !done.isDone(); i++) {
                    String piece = (i == 0 ? "" : " ") + words[i];
                    out.append(piece);
                    listener.onText(piece);
                    sleep();
                }
                done.complete(new StyledText(out.toString(), "tiny", ref.get(), 3, words.length, "eos"));
            });
            synchronized (threads) {
                threads.add(t);
            }
            t.start();
            return done;
        }

        private void sleep() {
            long until = System.nanoTime() + paceMillis * 1_000_000;
            while (System.nanoTime() < until && paceMillis > 0) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            active.forEach(f -> f.cancel(true));
        }
    }

    /** Scores style by the candidate's seed, as written at the end of its text. */
    record FixedStyleEvaluator(Map<Long, Double> bySeed) implements Evaluator {
        public String id() {
            return "style";
        }

        public boolean accepts(EvaluationInput input) {
            return input.styleId() != null;
        }

        public Evaluation evaluate(List<EvaluationInput> inputs) {
            String text = inputs.get(0).hypothesis();
            int at = text.indexOf("seed=");
            double value = at < 0 ? 60 : bySeed.getOrDefault(Long.parseLong(text.substring(at + 5)), 0.0);
            return new Evaluation(List.of(), List.of(List.of(new Score("styleScore", value, "test"))));
        }
    }

    /** A pack that counts the holds on it: open now, and taken in all. */
    static class Pack implements StylePack {
        final String id;
        final String version;
        final AtomicInteger holds = new AtomicInteger();
        final AtomicInteger held = new AtomicInteger();

        Pack(String id, String version) {
            this.id = id;
            this.version = version;
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public Optional<Hold> hold() {
            holds.incrementAndGet();
            held.incrementAndGet();
            AtomicBoolean open = new AtomicBoolean(true);
            return Optional.of(() -> {
                if (open.compareAndSet(true, false)) {
                    holds.decrementAndGet();
                }
            });
        }

        @Override
        public StyleDescriptor descriptor() {
            return new StyleDescriptor(id, id, "en", "", "tiny", "", "{facts}", null, "", "");
        }

        public Path directory() {
            return Path.of(".");
        }

        public List<Exemplar> exemplars() {
            return List.of();
        }
    }
}
