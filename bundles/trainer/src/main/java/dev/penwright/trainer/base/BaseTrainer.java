package dev.penwright.trainer.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDManager;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.ModelConfig;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.FullTask;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.RunControl;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * Trains one of Penwright's own small models, every parameter, with next-token loss.
 *
 * <p>The run's phases: the starting model ({@link StartingModel}: from scratch, a byte-level BPE tokenizer on the
 * training texts and a randomly initialised Llama-shaped decoder; with {@code init}, an existing model folder's
 * config, tokenizer and weights), the training sequences (raw text cut into pieces of {@code seqLen} tokens,
 * {@link RawText}, and with a plan mix F that fraction of plan→text sequences, {@link PlanMixer}), training, and
 * per-corpus validation loss and perplexity before (a continued stage) and after ({@link BaseEvaluation}), written to
 * report.json ({@link BaseReport}). Only training-split texts are trained on.
 */
public final class BaseTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Planner planner;

    /** Base training without plans (plan mix 0). */
    public BaseTrainer() {
        this(null);
    }

    /** @param planner makes the plans of a plan-mix run; may be null when the plan mix is 0 */
    public BaseTrainer(Planner planner) {
        this.planner = planner;
    }

    /** Wall time of each part of the run, in run order: the loop's budget (--minutes) covers training only. */
    private static final class PhaseClock {
        private final Map<String, Double> seconds = new LinkedHashMap<>();
        private long lap = System.nanoTime();

        void lap(String phase) {
            long now = System.nanoTime();
            seconds.merge(phase, (now - lap) / 1e9, Double::sum);
            lap = now;
        }
    }

    /** The training and validation sequences of a run. */
    private record Sequences(Map<String, PlanMixer.Mix> train, Map<String, PlanMixer.Mix> validation,
                             List<String> planFailures) {
        List<Example> trainExamples() {
            return train.values().stream().flatMap(m -> m.all().stream()).toList();
        }

        List<Example> validationExamples() {
            return validation.values().stream().flatMap(m -> m.all().stream()).toList();
        }
    }

    public Path run(BaseRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        RunControl control = new RunControl(jobId, progress, cancelled);
        if (recipe.planMix() > 0 && planner == null) {
            throw new IllegalStateException("--plan-mix needs a planner, and none is available");
        }
        Path out = recipe.out();
        Files.createDirectories(out);
        PhaseClock clock = new PhaseClock();
        BaseCorpora corpora = BaseCorpora.read(recipe);
        Path modelDir = StartingModel.prepare(recipe, corpora.train(), control);
        JsonNode initReport = StartingModel.initReport(recipe);
        clock.lap("read");
        try (LanguageModel model = LanguageModel.loadF32(modelDir); NDManager manager = NDManager.newBaseManager()) {
            if (!model.hasTokenizer()) {
                throw new IOException(modelDir + " has no tokenizer.json");
            }
            ModelConfig c = model.config();
            if (recipe.seqLen() > c.maxPositions()) {
                throw new IllegalArgumentException("--seq-len " + recipe.seqLen() + " is longer than the model's "
                        + c.maxPositions() + " positions");
            }
            clock.lap("load");
            Sequences sequences = sequences(model, corpora, recipe, control);
            long pad = c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().get(0);
            FullTask task = new FullTask(model, manager);
            BaseEvaluation evaluation = new BaseEvaluation(task, recipe, pad);
            Map<String, BaseReport.CorpusFigures> before = null;
            clock.lap("sequences");
            if (recipe.init() != null) {
                control.note("evaluate", "validation figures of the init model, per corpus");
                before = evaluation.perCorpus(sequences.validation());
                clock.lap("evaluateBefore");
            }
            // With no validation during the run (--eval-every 0) the loop gets no validation set either: it would
            // score the whole set once more at the end, which the per-corpus figures below do anyway.
            List<Example> trainEx = sequences.trainExamples();
            List<Example> loopVal = recipe.loop().evalEvery() > 0 ? sequences.validationExamples() : List.of();
            TrainingResult r = new TrainingLoop(task, recipe.loop(), trainEx, loopVal, pad, out.resolve("checkpoints"),
                    jobId, "base", control.sink(), control.cancelFlag()).run(recipe.resume());
            clock.lap("train");
            task.saveResult(out);
            control.note("evaluate", "validation figures, per corpus");
            Map<String, BaseReport.CorpusFigures> after = evaluation.perCorpus(sequences.validation());
            clock.lap("evaluateAfter");
            List<JsonNode> prior = recipe.init() != null ? StartingModel.priorStages(initReport, recipe.init())
                    : List.of();
            String title = (recipe.init() != null ? "Base stage " + (prior.size() + 1) : "Base") + " " + shapeOf(c)
                    + (recipe.planMix() > 0 ? ", plan mix " + recipe.planMix() : "");
            LossChart.write(out.resolve("loss.png"), title, List.of(new LossChart.Curve("base", r.history())));
            BaseReport report = report(recipe, c, corpora, sequences, trainEx.size(), r, clock, before, after);
            writeReport(out.resolve("report.json"), report, prior);
            control.sink().accept(new JobProgress(jobId, JobState.SUCCEEDED, "base", r.steps(), r.steps(),
                    r.lastLoss(), 0, r.tokensPerSecond(), 0, "wrote the model to " + out));
        }
        return out;
    }

    /** Training sequences of every corpus and, for validation, the same texts as raw text and (plan mix) plans. */
    private Sequences sequences(LanguageModel model, BaseCorpora corpora, BaseRecipe recipe, RunControl control) {
        Map<String, ContentPlan> plans = recipe.planMix() > 0 ? new LinkedHashMap<>() : Map.of();
        List<String> planFailures = new ArrayList<>();
        PlanMixer mixer = new PlanMixer(planner, control);
        Map<String, PlanMixer.Mix> train = mixer.mixes(model, corpora.corpora(), recipe, plans, planFailures);
        Map<String, PlanMixer.Mix> validation = new LinkedHashMap<>();
        for (BaseCorpora.Corpus corpus : corpora.corpora()) {
            List<Example> planVal = new ArrayList<>();
            if (recipe.planMix() > 0) {
                planVal.addAll(PlanMixer.planExamples(model, mixer.plan(corpus.val(), plans, planFailures),
                        corpus.val(), recipe, ""));
            }
            // At most valTexts raw pieces too: 64 zh-fortunes texts are 462 pieces (109k of the 134k tokens of the
            // three corpora's raw validation), which made evaluation slow and the pooled loss zh-fortunes's.
            List<Example> rawVal = RawText.pieces(model, corpus.val(), recipe.seqLen());
            validation.put(corpus.name(), new PlanMixer.Mix(rawVal.subList(0, Math.min(rawVal.size(),
                    recipe.valTexts())), planVal));
        }
        return new Sequences(train, validation, planFailures);
    }

    private BaseReport report(BaseRecipe recipe, ModelConfig c, BaseCorpora corpora, Sequences sequences,
                              int trainSequences, TrainingResult r, PhaseClock clock,
                              Map<String, BaseReport.CorpusFigures> before,
                              Map<String, BaseReport.CorpusFigures> after) {
        boolean planned = recipe.planMix() > 0;
        double flopsPerToken = 6.0 * c.parameterCount();
        Map<String, BaseReport.MixCount> mix = new LinkedHashMap<>();
        sequences.train().forEach((name, m) -> mix.put(name, new BaseReport.MixCount(m.raw().size(),
                m.plan().size())));
        List<List<Number>> evals = r.history().evals.stream().map(e -> List.<Number>of(e.step(), e.loss()))
                .toList();
        String plannerId = planned ? planner.id() : null;
        BaseReport.Card card = BaseCard.of(r, r.tokensPerSecond() * flopsPerToken, corpora.train().size(),
                trainSequences, plannerId, before, after, recipe);
        return new BaseReport(Instant.now().toString(), recipe.init() == null ? "scratch" : "continued",
                recipe.init() == null ? null : recipe.init().toAbsolutePath().normalize().toString(), shapeOf(c),
                c.parameterCount(), c.vocabSize(), recipe.seqLen(), recipe.planMix(), recipe.balance(), plannerId,
                planned ? sequences.planFailures().size() : null, planned ? recipe.promptTemplates() : null,
                corpora.sources(), corpora.badLines(), "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99"
                + " test", corpora.train().size(), trainSequences, mix, r.steps(), r.stopReason(), r.firstLoss(),
                r.lastLoss(), Double.isNaN(r.bestValLoss()) ? null : r.bestValLoss(), evals, r.trainedTokens(),
                r.tokensPerSecond(), r.tokensPerSecond() * flopsPerToken,
                "6 x parameters per token (forward + backward, attention not counted)", r.seconds(),
                new LinkedHashMap<>(clock.seconds), recipe.valTexts(), before, after, BaseReport.Recipe.of(recipe),
                card);
    }

    /** The report, with {@code stages}: the stages before this one, then this one (without its own stages). */
    private static void writeReport(Path file, BaseReport report, List<JsonNode> prior) throws IOException {
        ObjectNode tree = JSON.valueToTree(report);
        ObjectNode self = tree.deepCopy();
        ArrayNode stages = tree.putArray("stages");
        prior.forEach(stages::add);
        stages.add(self);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), tree);
    }

    private static String shapeOf(ModelConfig c) {
        return "d" + c.hiddenSize() + "-l" + c.numLayers() + "-h" + c.numHeads() + "-kv" + c.numKvHeads();
    }
}
