package dev.penwright.trainer.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.engine.BpeTrainer;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Dataset;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.Split;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Batches;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.FullTask;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;
import dev.penwright.trainer.style.PlanCache;
import dev.penwright.trainer.style.Sequences;

/**
 * Trains one of Penwright's own small models, every parameter, with next-token loss.
 *
 * <p>From scratch: a byte-level BPE tokenizer (the engine's BpeTrainer) on the training texts, a randomly
 * initialised Llama-shaped decoder (the engine's RandomModels), then training on raw text cut into pieces of
 * {@code seqLen} tokens. With {@code init}: a further stage that starts from an existing model folder's config,
 * tokenizer and weights.
 *
 * <p>With a plan mix F, that fraction of the training sequences are plan→text sequences made as S-SFT makes them (the
 * planner's plan of a training text rendered with the api's prompt template, then the text and the end marker, loss
 * on the text and the marker only), so that the base model knows the styler's prompt format before any adapter is
 * trained on it. Only training-split texts are trained on; every run ends with per-corpus validation loss and
 * perplexity (raw text, and plan→text when the run mixes plans in) in report.json.
 */
public final class BaseTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String END = BpeTrainer.DEFAULT_SPECIALS.get(0);
    private static final float EMBEDDING_STD = 0.02f;
    private static final int PLAN_PROGRESS_EVERY = 2000;

    private final Planner planner;

    /** Base training without plans (plan mix 0). */
    public BaseTrainer() {
        this(null);
    }

    /** @param planner makes the plans of a plan-mix run; may be null when the plan mix is 0 */
    public BaseTrainer(Planner planner) {
        this.planner = planner;
    }

    /** One corpus of a run: its name (the file name without extensions), training texts and validation texts. */
    record Corpus(String name, List<CorpusText> train, List<CorpusText> val) {
    }

    /** Training sequences a corpus gives: raw pieces, plan→text sequences, and the texts those were planned from. */
    record Mix(List<Example> raw, List<Example> plan) {
    }

    /**
     * How well a model predicts a set of sequences.
     *
     * @param loss       mean negative log-likelihood per target token (nats)
     * @param perplexity exp(loss)
     * @param sequences  sequences scored
     * @param tokens     target tokens scored
     */
    public record Figures(double loss, double perplexity, int sequences, long tokens) {
        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("loss", loss);
            n.put("perplexity", perplexity);
            n.put("sequences", sequences);
            n.put("tokens", tokens);
            return n;
        }
    }

    public Path run(BaseRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        Consumer<JobProgress> sink = progress == null ? p -> { } : progress;
        if (recipe.planMix() > 0 && planner == null) {
            throw new IllegalStateException("--plan-mix needs a planner, and none is available");
        }
        Path out = recipe.out();
        Files.createDirectories(out);
        // Wall time of each part of the run: the loop's budget (--minutes) covers training only.
        Map<String, Double> phases = new LinkedHashMap<>();
        long[] lap = {System.nanoTime()};
        java.util.function.Consumer<String> time = name -> {
            long now = System.nanoTime();
            phases.merge(name, (now - lap[0]) / 1e9, Double::sum);
            lap[0] = now;
        };
        List<Corpus> corpora = new ArrayList<>();
        int badLines = 0;
        ArrayNode sources = JSON.createArrayNode();
        JsonlReader reader = new JsonlReader(recipe.onBadLine());
        for (Path file : recipe.corpora()) {
            Dataset<CorpusText> d = reader.corpus(file);
            List<CorpusText> records = d.records();
            if (recipe.maxTexts() > 0 && records.size() > recipe.maxTexts()) {
                records = records.subList(0, recipe.maxTexts());
            }
            List<CorpusText> val = Split.VALIDATION.select(records, CorpusText::id).stream()
                    .limit(recipe.valTexts()).toList();
            String name = uniqueName(corpusName(file), corpora);
            corpora.add(new Corpus(name, Split.TRAIN.select(records, CorpusText::id), val));
            badLines += d.badLines().size();
            ObjectNode s = sources.addObject();
            s.put("name", name);
            s.put("file", file.toAbsolutePath().toString());
            s.put("texts", records.size());
            s.put("trainTexts", corpora.get(corpora.size() - 1).train().size());
            s.put("badLines", d.badLines().size());
            s.put("license", records.isEmpty() ? "" : records.get(0).license());
        }
        List<CorpusText> train = corpora.stream().flatMap(c -> c.train().stream()).toList();
        if (train.isEmpty()) {
            throw new BadDataException("no text of " + recipe.corpora() + " falls in the training split (80% of ids"
                    + " by hash)");
        }
        Path modelDir = recipe.init() != null ? withContext(recipe.init(), recipe.maxPositions(), out) : out;
        JsonNode initReport = null;
        if (recipe.init() != null) {
            for (String f : List.of("config.json", "tokenizer.json")) {
                if (!Files.isRegularFile(recipe.init().resolve(f))) {
                    throw new IOException("--init " + recipe.init() + ": no " + f + " (a model folder written by"
                            + " train base or convert has config.json, model.safetensors and tokenizer.json)");
                }
            }
            Path r = recipe.init().resolve("report.json");
            initReport = Files.isRegularFile(r) ? JSON.readTree(r.toFile()) : null;
        } else {
            scratch(recipe, train, out, jobId, sink);
        }
        time.accept("read");
        ObjectNode report = JSON.createObjectNode();
        try (LanguageModel model = LanguageModel.loadF32(modelDir); NDManager manager = NDManager.newBaseManager()) {
            if (!model.hasTokenizer()) {
                throw new IOException(modelDir + " has no tokenizer.json");
            }
            ModelConfig c = model.config();
            if (recipe.seqLen() > c.maxPositions()) {
                throw new IllegalArgumentException("--seq-len " + recipe.seqLen() + " is longer than the model's "
                        + c.maxPositions() + " positions");
            }
            Map<String, ContentPlan> plans = recipe.planMix() > 0 ? new LinkedHashMap<>() : Map.of();
            List<String> planFailures = new ArrayList<>();
            time.accept("load");
            Map<String, Mix> mixes = mixes(model, corpora, recipe, plans, planFailures, jobId, sink);
            List<Example> trainEx = new ArrayList<>();
            mixes.values().forEach(m -> {
                trainEx.addAll(m.raw());
                trainEx.addAll(m.plan());
            });
            // Validation: the same texts of each corpus as raw text and, in plan-mix runs, as plan→text sequences.
            Map<String, Mix> valSets = new LinkedHashMap<>();
            for (Corpus corpus : corpora) {
                List<Example> planVal = new ArrayList<>();
                if (recipe.planMix() > 0) {
                    planVal.addAll(planExamples(model, plan(corpus.val(), plans, planFailures, jobId, sink),
                            corpus.val(), recipe, ""));
                }
                // At most valTexts raw pieces too: 64 zh-fortunes texts are 462 pieces (109k of the 134k tokens of
                // the three corpora's raw validation), which made evaluation slow and the pooled loss zh-fortunes's.
                List<Example> rawVal = pieces(model, corpus.val(), recipe.seqLen());
                valSets.put(corpus.name(), new Mix(rawVal.subList(0, Math.min(rawVal.size(), recipe.valTexts())),
                        planVal));
            }
            List<Example> valEx = new ArrayList<>();
            valSets.values().forEach(m -> {
                valEx.addAll(m.raw());
                valEx.addAll(m.plan());
            });
            long pad = c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().get(0);
            FullTask task = new FullTask(model, manager);
            ObjectNode before = null;
            if (recipe.init() != null) {
                note(sink, jobId, "evaluate", "validation figures of the init model, per corpus");
                time.accept("sequences");
                before = perCorpus(task, valSets, recipe, pad);
                time.accept("evaluateBefore");
            } else {
                time.accept("sequences");
            }
            // With no validation during the run (--eval-every 0) the loop gets no validation set either: it would
            // score the whole set once more at the end, which the per-corpus figures below do anyway.
            List<Example> loopVal = recipe.loop().evalEvery() > 0 ? valEx : List.of();
            TrainingResult r = new TrainingLoop(task, recipe.loop(), trainEx, loopVal, pad, out.resolve("checkpoints"),
                    jobId, "base", sink, cancelled).run(recipe.resume());
            time.accept("train");
            task.saveResult(out);
            note(sink, jobId, "evaluate", "validation figures, per corpus");
            ObjectNode after = perCorpus(task, valSets, recipe, pad);
            time.accept("evaluateAfter");
            String title = (recipe.init() != null ? "Base stage " + (priorStages(initReport, recipe.init()).size() + 1)
                    : "Base") + " " + shapeOf(c) + (recipe.planMix() > 0 ? ", plan mix " + recipe.planMix() : "");
            LossChart.write(out.resolve("loss.png"), title, List.of(new LossChart.Curve("base", r.history())));
            double flopsPerToken = 6.0 * c.parameterCount();
            report.put("created", Instant.now().toString());
            report.put("stage", recipe.init() == null ? "scratch" : "continued");
            if (recipe.init() != null) {
                report.put("init", recipe.init().toAbsolutePath().normalize().toString());
            }
            report.put("shape", shapeOf(c));
            report.put("parameters", c.parameterCount());
            report.put("vocab", c.vocabSize());
            report.put("seqLen", recipe.seqLen());
            report.put("planMix", recipe.planMix());
            report.put("balance", recipe.balance());
            if (recipe.planMix() > 0) {
                report.put("planner", planner.id());
                report.put("planFailures", planFailures.size());
                ArrayNode templates = report.putArray("promptTemplates");
                recipe.promptTemplates().forEach(templates::add);
            }
            report.set("corpora", sources);
            report.put("badLines", badLines);
            report.put("split", "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99 test");
            report.put("trainTexts", train.size());
            report.put("trainSequences", trainEx.size());
            ObjectNode mixNode = report.putObject("trainMix");
            mixes.forEach((name, m) -> {
                ObjectNode n = mixNode.putObject(name);
                n.put("rawSequences", m.raw().size());
                n.put("planSequences", m.plan().size());
            });
            report.put("steps", r.steps());
            report.put("stopReason", r.stopReason());
            report.put("firstLoss", r.firstLoss());
            report.put("lastLoss", r.lastLoss());
            if (!Double.isNaN(r.bestValLoss())) {
                report.put("bestValidationLoss", r.bestValLoss());
            }
            ArrayNode evals = report.putArray("validation");
            r.history().evals.forEach(e -> evals.addArray().add(e.step()).add(e.loss()));
            report.put("tokensSeen", r.trainedTokens());
            report.put("tokensPerSecond", r.tokensPerSecond());
            report.put("approxFlopsPerSecond", r.tokensPerSecond() * flopsPerToken);
            report.put("flopsNote", "6 x parameters per token (forward + backward, attention not counted)");
            report.put("seconds", r.seconds());
            ObjectNode ph = report.putObject("phaseSeconds");
            phases.forEach(ph::put);
            report.put("valTextsPerCorpus", recipe.valTexts());
            if (before != null) {
                report.set("perCorpusBefore", before);
            }
            report.set("perCorpus", after);
            report.set("recipe", recipeNode(recipe));
            report.set("card", card(report, recipe));
            ArrayNode stages = report.putArray("stages");
            if (recipe.init() != null) {
                priorStages(initReport, recipe.init()).forEach(stages::add);
            }
            ObjectNode self = report.deepCopy();
            self.remove("stages");
            stages.add(self);
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("report.json").toFile(), report);
            sink.accept(new JobProgress(jobId, JobState.SUCCEEDED, "base", r.steps(), r.steps(), r.lastLoss(), 0,
                    r.tokensPerSecond(), 0, "wrote the model to " + out));
        }
        return out;
    }

    /**
     * The texts the BPE trainer reads: at most {@code limit} (all when it is 0 or more than there are), taken from the
     * corpora in turn (the i-th text of each style, then the (i+1)-th, …), so that every corpus — every script —
     * gets merges. The first {@code limit} texts in corpus order were all one corpus's when it came first and was
     * large (the 2026-11 embedded default's tokenizer saw only debian-desc and holds no Chinese token).
     */
    static List<CorpusText> tokenizerSample(List<CorpusText> train, int limit) {
        if (limit <= 0 || train.size() <= limit) {
            return train;
        }
        Map<String, List<CorpusText>> byStyle = new LinkedHashMap<>();
        for (CorpusText t : train) {
            byStyle.computeIfAbsent(t.style(), k -> new ArrayList<>()).add(t);
        }
        List<CorpusText> sample = new ArrayList<>(limit);
        for (int i = 0; sample.size() < limit; i++) {
            for (List<CorpusText> style : byStyle.values()) {
                if (i < style.size() && sample.size() < limit) {
                    sample.add(style.get(i));
                }
            }
        }
        return sample;
    }

    /** The tokenizer and the randomly initialised model of a from-scratch run, written into {@code out}. */
    private static void scratch(BaseRecipe recipe, List<CorpusText> train, Path out, String jobId,
                                Consumer<JobProgress> sink) throws IOException {
        Path tokenizer = out.resolve("tokenizer.json");
        boolean reuse = recipe.resume() && Files.isRegularFile(tokenizer)
                && Files.isRegularFile(out.resolve("config.json"));
        if (reuse) {
            return;
        }
        note(sink, jobId, "tokenizer", "training a " + recipe.vocabSize() + "-token BPE tokenizer");
        List<String> texts = tokenizerSample(train, recipe.tokenizerTexts()).stream()
                .map(t -> t.title() + "\n\n" + t.text()).toList();
        int vocab = new BpeTrainer(recipe.vocabSize(), BpeTrainer.DEFAULT_SPECIALS, 2).trainAndWrite(texts, out);
        ModelConfig config = recipe.shape().config(vocab, Math.max(512, recipe.seqLen()), 0);
        RandomModels.write(out, config, recipe.loop().seed(), "F32", 1);
        // RandomModels draws the embedding with std 1, which through the tied output head gives logits of
        // size sqrt(d) and a first loss of ~100+ nats; GPT-2's 0.02 starts training near ln(vocab).
        try (LanguageModel fresh = LanguageModel.load(out)) {
            var embed = dev.penwright.engine.TrainingAccess.parameters(fresh).get("embed");
            try (var w = embed.stopGradient()) {
                w.muli(EMBEDDING_STD);
            }
            dev.penwright.engine.TrainingAccess.saveModel(fresh, out);
        }
    }

    /**
     * The training sequences of each corpus. With plan mix F, a corpus of R raw pieces and T texts gives N =
     * min(R/(1-F), T/F) sequences, F·N of them plan→text, without repeating any; with {@code balance} every corpus
     * gives the median corpus's N instead, a small corpus repeating its sequences and a large one giving a random
     * subset, so the corpora weigh about equally in training. With F = 0 and no balance: every raw piece, as ever.
     */
    Map<String, Mix> mixes(LanguageModel model, List<Corpus> corpora, BaseRecipe recipe, Map<String, ContentPlan> plans,
                           List<String> planFailures, String jobId, Consumer<JobProgress> sink) {
        double f = recipe.planMix();
        SplittableRandom rng = new SplittableRandom(recipe.loop().seed() ^ 0x9E3779B97F4A7C15L);
        Map<String, List<Example>> raw = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Corpus c : corpora) {
            note(sink, jobId, "sequences", "tokenising " + c.train().size() + " training texts of " + c.name());
            List<Example> pieces = pieces(model, c.train(), recipe.seqLen());
            raw.put(c.name(), pieces);
            int t = c.train().size();
            int n = f == 0 ? pieces.size() : f == 1 ? t
                    : (int) Math.floor(Math.min(pieces.size() / (1 - f), t / f));
            sizes.put(c.name(), n);
        }
        // The median corpus's size, not the mean: with one large corpus the mean would repeat each small one
        // tenfold and build tens of thousands of sequences no time-budgeted stage reaches.
        List<Integer> sorted = sizes.values().stream().sorted().toList();
        int median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (int) Math.round((sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2.0);
        // How many plan→text sequences each corpus needs, and which of its texts they come from.
        Map<String, Integer> rawCounts = new LinkedHashMap<>();
        Map<String, List<CorpusText>> planPicks = new LinkedHashMap<>();
        List<CorpusText> toPlan = new ArrayList<>();
        for (Corpus c : corpora) {
            int n = recipe.balance() ? median : sizes.get(c.name());
            int planCount = (int) Math.round(f * n);
            rawCounts.put(c.name(), n - planCount);
            List<CorpusText> picks = draw(c.train(), planCount, rng);
            planPicks.put(c.name(), picks);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (CorpusText t : picks) {
                if (seen.add(t.id())) {
                    toPlan.add(t);
                }
            }
        }
        if (!toPlan.isEmpty()) {
            plans.putAll(plan(toPlan, plans, planFailures, jobId, sink));
        }
        Map<String, Mix> out = new LinkedHashMap<>();
        for (Corpus c : corpora) {
            note(sink, jobId, "sequences", "plan→text sequences of " + c.name());
            List<Example> rawPicks = raw.get(c.name());
            int k = rawCounts.get(c.name());
            if (k != rawPicks.size()) {
                rawPicks = draw(rawPicks, k, rng);
            }
            out.put(c.name(), new Mix(distinct(rawPicks, Example::id, (e, r) -> new Example(
                    "r" + r + ":" + e.id(), e.ids(), e.lossFrom())),
                    planExamples(model, plans, planPicks.get(c.name()), recipe, "plan:")));
        }
        return out;
    }

    /**
     * The plans of {@code texts} (those already in {@code known} are not asked again), by text id, with progress:
     * the extractive planner takes about a millisecond a text, an LLM planner far longer.
     */
    private Map<String, ContentPlan> plan(List<CorpusText> texts, Map<String, ContentPlan> known,
                                         List<String> failures, String jobId, Consumer<JobProgress> sink) {
        Map<String, ContentPlan> out = new LinkedHashMap<>();
        long started = System.nanoTime();
        note(sink, jobId, "plan", "planning " + texts.size() + " texts with planner " + planner.id());
        for (int i = 0; i < texts.size(); i++) {
            CorpusText t = texts.get(i);
            ContentPlan p = known.get(t.id());
            if (p == null) {
                try {
                    p = planner.plan(PlanCache.material(t));
                } catch (PlanningException e) {
                    failures.add(t.id() + ": " + e.getMessage());
                }
            }
            if (p != null) {
                out.put(t.id(), p);
            }
            if ((i + 1) % PLAN_PROGRESS_EVERY == 0 || i + 1 == texts.size()) {
                double s = (System.nanoTime() - started) / 1e9;
                long eta = Math.round(s / (i + 1) * (texts.size() - i - 1));
                sink.accept(new JobProgress(jobId, JobState.RUNNING, "plan", i + 1, texts.size(), Double.NaN, 0, 0,
                        eta, String.format("planned %d/%d texts in %.0f s", i + 1, texts.size(), s)));
            }
        }
        return out;
    }

    /**
     * Plan→text sequences of {@code texts} whose plan is known, made as S-SFT makes them; with several prompt
     * templates, the texts take them in turn.
     */
    private static List<Example> planExamples(LanguageModel model, Map<String, ContentPlan> plans,
                                              List<CorpusText> texts, BaseRecipe recipe, String prefix) {
        List<PromptTemplate> templates = recipe.promptTemplates().stream().map(PromptTemplate::new).toList();
        List<Example> out = new ArrayList<>();
        // A repeated text (balance) with the same template is the same sequence: tokenise it once (fitting a long
        // prompt encodes it about ten times).
        Map<String, Example> made = new java.util.HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            CorpusText t = texts.get(i);
            ContentPlan p = plans.get(t.id());
            if (p != null) {
                int k = i % templates.size();
                out.add(made.computeIfAbsent(k + "/" + t.id(), key -> Sequences.example(model, templates.get(k),
                        prefix + t.id(), p, t.text(), recipe.seqLen())));
            }
        }
        return distinct(out, Example::id, (e, r) -> new Example("r" + r + ":" + e.id(), e.ids(), e.lossFrom()));
    }

    /**
     * {@code k} items of {@code from} in a random order: a random subset when there are enough, else every item as
     * often as fits and a random subset of the rest.
     */
    static <T> List<T> draw(List<T> from, int k, SplittableRandom rng) {
        List<T> out = new ArrayList<>(k);
        if (from.isEmpty() || k <= 0) {
            return out;
        }
        while (out.size() + from.size() <= k) {
            out.addAll(from);
        }
        List<T> shuffled = new ArrayList<>(from);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            java.util.Collections.swap(shuffled, i, rng.nextInt(i + 1));
        }
        out.addAll(shuffled.subList(0, k - out.size()));
        return out;
    }

    /**
     * Renames repeats (the r-th repeat of an id gets the prefix {@code r<r>:}): the batcher orders examples by length
     * and then id, so the prefix also keeps a repeat away from its original within a length.
     */
    static <T> List<T> distinct(List<T> items, java.util.function.Function<T, String> id,
                                java.util.function.BiFunction<T, Integer, T> rename) {
        Map<String, Integer> seen = new java.util.HashMap<>();
        List<T> out = new ArrayList<>(items.size());
        for (T t : items) {
            int r = seen.merge(id.apply(t), 1, Integer::sum) - 1;
            out.add(r == 0 ? t : rename.apply(t, r));
        }
        return out;
    }

    /** Per-corpus validation figures: raw text, and plan→text where the run has plan sequences. */
    private static ObjectNode perCorpus(FullTask task, Map<String, Mix> valSets, BaseRecipe recipe, long pad) {
        ObjectNode out = JSON.createObjectNode();
        valSets.forEach((name, m) -> {
            ObjectNode n = out.putObject(name);
            if (!m.raw().isEmpty()) {
                n.set("raw", evaluate(task, m.raw(), recipe, pad).json());
            }
            if (!m.plan().isEmpty()) {
                n.set("plan", evaluate(task, m.plan(), recipe, pad).json());
            }
            if (m.raw().isEmpty()) {
                n.put("note", "no text of this corpus falls in the validation split");
            }
        });
        return out;
    }

    /** Mean loss per target token of {@code examples}, without dropout and without recording gradients. */
    public static Figures evaluate(FullTask task, List<Example> examples, BaseRecipe recipe, long pad) {
        double sum = 0;
        long targets = 0;
        for (Batch b : new Batches(examples, recipe.loop().maxBatchTokens(), recipe.loop().maxBatchRows(),
                recipe.loop().seed(), pad).all()) {
            try (NDScope scope = new NDScope()) {
                sum += task.lossSum(b, null).getFloat();
                targets += b.targetTokens();
            }
        }
        double loss = sum / Math.max(1, targets);
        return new Figures(loss, Math.exp(loss), examples.size(), targets);
    }

    /** The stages before this one: the init model's own stages, or its report as one stage. */
    private static List<JsonNode> priorStages(JsonNode initReport, Path init) {
        List<JsonNode> out = new ArrayList<>();
        if (initReport == null) {
            ObjectNode n = JSON.createObjectNode();
            n.put("model", init.toAbsolutePath().normalize().toString());
            n.put("note", "the init model has no report.json");
            out.add(n);
        } else if (initReport.has("stages") && initReport.get("stages").isArray()) {
            initReport.get("stages").forEach(out::add);
        } else {
            out.add(initReport);
        }
        return out;
    }

    private static ObjectNode recipeNode(BaseRecipe recipe) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode files = n.putArray("corpora");
        recipe.corpora().forEach(p -> files.add(p.toString()));
        if (recipe.init() != null) {
            n.put("init", recipe.init().toString());
        } else {
            n.put("shape", recipe.shape().toString());
            n.put("vocab", recipe.vocabSize());
            n.put("tokenizerTexts", recipe.tokenizerTexts());
        }
        n.put("seqLen", recipe.seqLen());
        n.put("maxTexts", recipe.maxTexts());
        n.put("planMix", recipe.planMix());
        n.put("balance", recipe.balance());
        n.put("valTexts", recipe.valTexts());
        ArrayNode templates = n.putArray("promptTemplates");
        recipe.promptTemplates().forEach(templates::add);
        n.set("loop", JSON.valueToTree(recipe.loop()));
        return n;
    }

    /**
     * The figures a model card quotes, as its table rows say them (validation per corpus: nats per token and
     * perplexity, and the change from the init model in a continued stage).
     */
    private static ObjectNode card(ObjectNode report, BaseRecipe recipe) {
        ObjectNode card = JSON.createObjectNode();
        card.put("training", String.format("%d optimiser steps in %.0f minutes (%s), %.2f M tokens seen, %.0f tokens/s,"
                        + " ≈%.1f GFLOP/s (6·params per token)", report.get("steps").asInt(),
                report.get("seconds").asDouble() / 60, report.get("stopReason").asText(),
                report.get("tokensSeen").asLong() / 1e6, report.get("tokensPerSecond").asDouble(),
                report.get("approxFlopsPerSecond").asDouble() / 1e9));
        card.put("data", String.format("%d training texts, %d sequences%s", report.get("trainTexts").asInt(),
                report.get("trainSequences").asInt(), recipe.planMix() > 0
                        ? String.format(", %.0f%% of them plan→text (planner %s)%s", 100 * recipe.planMix(),
                        report.path("planner").asText(), recipe.balance() ? ", corpora balanced" : "")
                        : recipe.balance() ? ", corpora balanced" : ""));
        StringBuilder val = new StringBuilder();
        JsonNode before = report.get("perCorpusBefore");
        report.get("perCorpus").fields().forEachRemaining(e -> {
            for (String kind : List.of("raw", "plan")) {
                JsonNode f = e.getValue().get(kind);
                if (f == null) {
                    continue;
                }
                if (!val.isEmpty()) {
                    val.append("; ");
                }
                val.append(String.format("%s %s %.3f (ppl %.1f", e.getKey(), kind.equals("raw") ? "text"
                        : "plan→text", f.get("loss").asDouble(), f.get("perplexity").asDouble()));
                JsonNode b = before == null ? null : before.path(e.getKey()).get(kind);
                if (b != null) {
                    val.append(String.format(", was %.3f", b.get("loss").asDouble()));
                }
                val.append(')');
            }
        });
        card.put("validation", val + " nats/token on the first " + recipe.valTexts()
                + " validation texts of each corpus (raw text: their first " + recipe.valTexts() + " pieces of "
                + recipe.seqLen() + " tokens at most)");
        return card;
    }

    private static String corpusName(Path file) {
        String n = file.getFileName().toString();
        for (String ext : List.of(".gz", ".jsonl", ".json")) {
            if (n.endsWith(ext)) {
                n = n.substring(0, n.length() - ext.length());
            }
        }
        return n;
    }

    /** The name, or with -2, -3 … when two corpus files have the same name. */
    private static String uniqueName(String name, List<Corpus> taken) {
        String n = name;
        for (int i = 2; taken.stream().map(Corpus::name).toList().contains(n); i++) {
            n = name + "-" + i;
        }
        return n;
    }

    private static String shapeOf(ModelConfig c) {
        return "d" + c.hiddenSize() + "-l" + c.numLayers() + "-h" + c.numHeads() + "-kv" + c.numKvHeads();
    }

    private static void note(Consumer<JobProgress> sink, String jobId, String phase, String message) {
        sink.accept(new JobProgress(jobId, JobState.RUNNING, phase, 0, 0, Double.NaN, 0, 0, -1, message));
    }

    /**
     * The init model as it is, or (when {@code maxPositions} is above its own) a copy of it under {@code out} whose
     * config.json has the longer context: the weights and tokenizer are copied unchanged, since RoPE positions are
     * computed, not learned.
     */
    static Path withContext(Path init, int maxPositions, Path out) throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(init.resolve("config.json").toFile());
        if (maxPositions <= 0 || maxPositions <= config.path("max_position_embeddings").asInt(0)) {
            return init;
        }
        Path extended = out.resolve("init-context-" + maxPositions);
        Files.createDirectories(extended);
        try (var files = Files.list(init)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.equals("tokenizer.json") || name.endsWith(".safetensors")
                        || name.equals("model.safetensors.index.json")) {
                    Files.copy(f, extended.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        config.put("max_position_embeddings", maxPositions);
        JSON.writerWithDefaultPrettyPrinter().writeValue(extended.resolve("config.json").toFile(), config);
        return extended;
    }

    /** Each text (title, blank line, text, end token) cut into pieces of at most {@code seqLen} tokens. */
    static List<Example> pieces(LanguageModel model, List<CorpusText> texts, int seqLen) {
        List<Example> out = new ArrayList<>();
        for (CorpusText t : texts) {
            long[] ids = model.encode(t.title() + "\n\n" + t.text() + END, false);
            for (int start = 0, n = 0; start < ids.length - 1; start += seqLen, n++) {
                int end = Math.min(ids.length, start + seqLen);
                if (end - start >= 2) {
                    out.add(new Example(t.id() + "#" + n, java.util.Arrays.copyOfRange(ids, start, end), 1));
                }
            }
        }
        return out;
    }
}
