package dev.penwright.trainer.style;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDManager;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.evaluators.Rouge;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.models.ModelFolder;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.stylepacks.DeployFolder;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.ValidatedStyle;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Dataset;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.PreferencePair;
import dev.penwright.trainer.data.Split;
import dev.penwright.trainer.dpo.Dpo;
import dev.penwright.trainer.dpo.DpoPair;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * A corpus in one voice → a style pack. S-SFT: the planner's plan of each training text → the text, LoRA on the
 * base model, loss on the text only. Then optional self-improvement rounds (sample k candidates per plan, keep the
 * best one that keeps most of the plan's key facts, contradicts none, states no unsupported fact and scores above the
 * style threshold, train on the grown set) and C-DPO (rejected = the model's own samples that invent, drop or
 * contradict facts, and outputs written from plans whose facts were altered; chosen = a sample of the same plan that
 * passes, else the original text; the reference is the frozen adapter before DPO). The run folder keeps plans,
 * checkpoints (one folder a phase) and the jar; {@code resume} continues each phase from its latest checkpoint.
 */
public final class StyleTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXEMPLARS = 8;
    private static final int MAX_SAMPLED_PLANS = 24;
    /**
     * C-DPO pairs at most. 25–32 pairs (the cap before) were learnt to a 40–130-nat margin in 10–30 steps: the phase
     * over-fitted and raised hallucination on the test split. Many distinct pairs, each seen about once, teach the
     * contrast instead of the pairs.
     */
    private static final int MAX_DPO_PAIRS = 256;
    /** Training plans sampled for C-DPO's own-sample pairs (k candidates each). */
    private static final int DPO_SAMPLED_PLANS = 64;
    /** Pairs with altered figures at most: they contrast figures only, the own samples every kind of error. */
    private static final int MAX_ALTERED_PAIRS = 64;
    private static final int EVAL_ITEMS = 8;
    /** Training texts a minute of time budget when --max-examples is not given. */
    static final int TEXTS_PER_MINUTE = 400;
    /** Plans sampled together; the time budget is checked between such chunks. */
    private static final int SAMPLE_CHUNK = 4;
    /**
     * The pack's sampling defaults (style.json), which the styler and the bench use. No repetition penalty: it
     * counts the prompt's tokens as seen (as Hugging Face's does), and the text should reuse the draft's words.
     * Temperature 0.3: with the copy cursor the plan decides the words and sampling only chooses the layout, where a
     * cool temperature keeps to the style's most usual form (bench notes --split validation, n = 12 a style, three
     * styles: ROUGE-L 92.2 / style 70.4 / factual 2.8 % at 0.3, 90.6 / 79.3 / 11.1 % at 0.6, 84.4 / 73.0 / 0 % at 0
     * before the cursor's layout rules; greedy repeats the same break pattern).
     */
    static final double GEN_TEMPERATURE = 0.3;
    /** A pack's adapter is stored in half precision (half the bytes; read back as F32); checkpoints stay F32. */
    static final String PACK_ADAPTER_DTYPE = "F16";
    static final int GEN_TOP_K = 50;
    static final double GEN_TOP_P = 0.95;
    static final double GEN_REPETITION_PENALTY = 1.0;
    /**
     * Copy-aware decoding, on in every pack's defaults (the engine's are off): a plan-copy bias of 4 (98 % of the
     * probability the model gives to other words moves to the draft's next one: 3 and 6 gave the same figures on the
     * validation split), the fact guard, and an end held back until 70 % of the plan's content words are written.
     */
    static final double GEN_COPY_BIAS = 4.0;
    static final boolean GEN_FACT_GUARD = true;
    static final double GEN_MIN_COVERAGE = 0.7;

    private final Planner planner;

    public StyleTrainer(Planner planner) {
        this.planner = planner;
    }

    public StyleRun run(StyleRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        Consumer<JobProgress> sink = progress == null ? p -> { } : progress;
        Budget budget = new Budget(recipe.loop().minutes());
        Path out = recipe.out();
        Files.createDirectories(out);
        // Stage packs of an earlier run in this folder would pass for this run's (another version, maybe a stage
        // this run does not reach); each stage is written again as it completes.
        deleteTree(out.resolve("stages"));
        TrainingData data = TrainingData.read(recipe);
        List<CorpusText> train = Split.TRAIN.select(data.records(), CorpusText::id);
        List<CorpusText> val = Split.VALIDATION.select(data.records(), CorpusText::id);
        // With a time budget and no --max-examples, at most TEXTS_PER_MINUTE texts a minute of it: planning is
        // charged to the budget (44,000 debian-desc texts would take the extractive planner most of six minutes),
        // and a short run trains on a few hundred texts anyway.
        int maxExamples = recipe.maxExamples() > 0 ? recipe.maxExamples()
                : recipe.loop().minutes() > 0 ? (int) Math.ceil(recipe.loop().minutes() * TEXTS_PER_MINUTE) : 0;
        if (maxExamples > 0 && train.size() > maxExamples) {
            train = train.subList(0, maxExamples);
        }
        int maxVal = Math.max(4, Math.min(64, train.size() / 8));
        if (val.size() > maxVal) {
            val = val.subList(0, maxVal);
        }
        if (train.isEmpty()) {
            throw new BadDataException(recipe.corpus() + ": no text falls in the training split (80% of ids by hash)");
        }
        List<String> planFailures = new ArrayList<>();
        List<CorpusText> all = new ArrayList<>(train);
        all.addAll(val);
        Map<String, ContentPlan> plans;
        String plannerId;
        if (data.givenPlans() != null) {
            // Alpaca lines carry their prompt: instruction (title) and input (draft) are the plan, nothing to plan.
            plans = new LinkedHashMap<>();
            for (CorpusText t : all) {
                plans.put(t.id(), data.givenPlans().get(t.id()));
            }
            plannerId = "none (alpaca: instruction and input are the plan)";
        } else {
            note(sink, jobId, "plan", "planning " + all.size() + " texts with planner " + planner.id());
            plans = PlanCache.plans(planner, all, out.resolve("plans.jsonl"), planFailures);
            plannerId = planner.id();
        }
        budget.record("planning", budget.elapsedSeconds());

        List<String> stages = new ArrayList<>(List.of(STAGE_SFT));
        budget.plan("sft", Budget.SFT);
        budget.plan("stage-" + STAGE_SFT, Budget.STAGE);
        for (int r = 1; r <= recipe.selfImprove(); r++) {
            budget.plan("self-improve-" + r, Budget.ROUND);
        }
        if (recipe.selfImprove() > 0) {
            stages.add(STAGE_SELF_IMPROVE);
            budget.plan("stage-" + STAGE_SELF_IMPROVE, Budget.STAGE);
        }
        if (recipe.dpo()) {
            stages.add(STAGE_DPO);
            budget.plan("dpo", Budget.DPO);
            budget.plan("stage-" + STAGE_DPO, Budget.STAGE);
        }
        // --deploy over a deployed pack scores that pack on this run's validation plans: a validation pass, planned.
        boolean replacing = recipe.deployDir() != null
                && Files.isRegularFile(recipe.deployDir().resolve(recipe.id() + ".jar"));
        if (replacing) {
            budget.plan("deploy-check", Budget.STAGE);
        }

        String baseId = recipe.baseModel().toAbsolutePath().normalize().getFileName().toString();
        BaseModelInfo base = ModelFolder.read(baseId, recipe.baseModel());
        PromptTemplate template = new PromptTemplate(recipe.promptTemplate());
        ObjectNode report = JSON.createObjectNode();
        List<LossChart.Curve> curves = new ArrayList<>();
        try (LanguageModel model = LanguageModel.load(recipe.baseModel());
             NDManager manager = NDManager.newBaseManager()) {
            if (!model.hasTokenizer()) {
                throw new IOException(recipe.baseModel() + " has no tokenizer.json");
            }
            List<Example> trainEx = examples(model, template, train, plans, recipe.maxTokens());
            List<Example> valEx = examples(model, template, val, plans, recipe.maxTokens());
            LoraConfig loraConfig = new LoraConfig(recipe.rank(), recipe.alpha(), recipe.targets(), Map.of(), Map.of(),
                    false, baseId);
            LoraAdapter adapter = model.createAdapter(recipe.id(), loraConfig, recipe.loop().seed(), true);
            LoraTask task = new LoraTask(model, adapter, recipe.dropout(), manager);
            int phases = 1 + recipe.selfImprove() + (recipe.dpo() ? 1 : 0);
            Pack pack = new Pack(recipe, data, train, val, plans, plannerId, base, template, model, adapter,
                    PackVersions.next(recipe.id(), out, recipe.deployDir()), maxNewTokens(model));
            pack.planFailureCount = planFailures.size();
            StyleVocabulary vocabulary = StyleForm.of(
                    StyleVocabulary.of(train.stream().map(CorpusText::text).toList()), train, plans);
            Candidates candidates = new Candidates(model, train.stream().map(CorpusText::text).toList(),
                    plans.values().stream().map(ContentPlan::neutralDraft).toList(), vocabulary);

            Budget.Share sftShare = budget.begin("sft");
            LoopConfig sftConfig = phaseLoop(recipe.loop(), phases == 1 ? 1.0 : 0.6, sftShare);
            TrainingResult sft = new TrainingLoop(task, sftConfig, trainEx, valEx, pad(model),
                    out.resolve("checkpoints/sft"), jobId, "sft", sink, cancelled).run(recipe.resume());
            sftShare.end();
            curves.add(new LossChart.Curve("sft", sft.history()));
            report.set("sft", result(sft, trainEx.size(), valEx.size()));
            report.putArray("selfImprovement");
            checkCancelled(cancelled);
            Path lastJar = pack.writeStage(STAGE_SFT, report, curves, budget, candidates, sink, jobId);

            List<CorpusText> sampled = train.stream().filter(t -> plans.containsKey(t.id()))
                    .limit(MAX_SAMPLED_PLANS).toList();
            ArrayNode rounds = JSON.createArrayNode();
            List<Example> grown = new ArrayList<>(trainEx);
            for (int r = 1; r <= recipe.selfImprove(); r++) {
                checkCancelled(cancelled);
                Budget.Share share = budget.begin("self-improve-" + r);
                note(sink, jobId, "self-improve-" + r, "sampling " + recipe.candidates() + " candidates for up to "
                        + sampled.size() + " plans");
                int maxNew = Math.max(16, recipe.maxTokens() / 2);
                int kept = 0;
                int plansSampled = 0;
                double styleSum = 0;
                int scoredCount = 0;
                int faithfulCount = 0;
                // A few plans at a time, so that the round's sampling share (40%) bounds the time it takes.
                for (int from = 0; from < sampled.size() && !share.spent(0.4) && !cancelled(cancelled);
                     from += SAMPLE_CHUNK) {
                    List<CorpusText> chunk = sampled.subList(from, Math.min(sampled.size(), from + SAMPLE_CHUNK));
                    List<long[]> prompts = chunk.stream()
                            .map(t -> Sequences.prompt(model, template, plans.get(t.id()), recipe.maxTokens() / 2))
                            .toList();
                    // Sampled as the pack will decode (copy cursor on): candidates that keep the plan, in forms
                    // the style filter can choose among.
                    List<List<Generation>> gens = candidates.sample(prompts,
                            chunk.stream().map(t -> plans.get(t.id())).toList(), recipe.candidates(),
                            recipe.candidates(), maxNew, adapter, recipe.loop().seed() * 7919 + r * 1_000_003L + from);
                    plansSampled += chunk.size();
                    for (int i = 0; i < chunk.size(); i++) {
                        CorpusText t = chunk.get(i);
                        ContentPlan plan = plans.get(t.id());
                        Candidates.Scored best = null;
                        for (Generation g : gens.get(i)) {
                            String text = g.text() == null ? "" : g.text().strip();
                            if (text.isEmpty()) {
                                continue;
                            }
                            Candidates.Scored s = candidates.score(t.id(), text, plan, PlanCache.material(t),
                                    g.tokenIds().size());
                            scoredCount++;
                            styleSum += s.style();
                            if (s.clean()) {
                                faithfulCount++;
                            }
                            if (s.keepable() && s.style() >= recipe.styleThreshold()
                                    && (best == null || s.style() + 100 * s.factRecall()
                                    > best.style() + 100 * best.factRecall())) {
                                best = s;
                            }
                        }
                        if (best != null) {
                            kept++;
                            grown.add(Sequences.example(model, template, t.id() + "#si" + r, plan, best.text(),
                                    recipe.maxTokens()));
                        }
                    }
                }
                ObjectNode round = rounds.addObject();
                round.put("round", r);
                round.put("plans", plansSampled);
                round.put("candidates", scoredCount);
                round.put("kept", kept);
                round.put("acceptanceRate", plansSampled == 0 ? 0 : (double) kept / plansSampled);
                round.put("meanStyleScore", scoredCount == 0 ? 0 : styleSum / scoredCount);
                round.put("cleanRate", scoredCount == 0 ? 0 : (double) faithfulCount / scoredCount);
                round.put("styleThreshold", recipe.styleThreshold());
                round.put("keepRule", "no unsupported fact, no contradicted key fact, at least "
                        + Candidates.MIN_FACT_RECALL + " of the plan's key facts kept, style >= threshold; best by"
                        + " style + 100 x fact share");
                round.put("samplingSeconds", share.used());
                if (kept > 0 && !cancelled(cancelled)) {
                    LoopConfig siConfig = phaseLoop(recipe.loop(), 0.4 / Math.max(1, phases - 1), share);
                    TrainingResult si = new TrainingLoop(task, siConfig, grown, valEx, pad(model),
                            out.resolve("checkpoints/self-improve-" + r), jobId, "self-improve-" + r, sink, cancelled)
                            .run(recipe.resume());
                    curves.add(new LossChart.Curve("self-improve-" + r, si.history()));
                    round.set("training", result(si, grown.size(), valEx.size()));
                } else if (kept == 0) {
                    round.put("training", "none: no candidate cleared the thresholds; the adapter is unchanged");
                }
                // Said as it happens, not only in report.json: a round that keeps nothing is a round of sampling
                // that changed nothing, and the user should know why (a high --style-threshold, a weak base model).
                note(sink, jobId, "self-improve-" + r, kept == 0
                        ? String.format(java.util.Locale.ROOT, "kept 0 of %d candidates from %d plans (%d clean of"
                                + " facts, mean style %.1f, threshold %.1f): no candidate cleared the keep rule, the"
                                + " adapter is unchanged", scoredCount, plansSampled, faithfulCount,
                        scoredCount == 0 ? 0 : styleSum / scoredCount, recipe.styleThreshold())
                        : String.format(java.util.Locale.ROOT, "kept %d of %d candidates from %d plans; trained on"
                                + " %d examples", kept, scoredCount, plansSampled, grown.size()));
                share.end();
            }
            if (recipe.selfImprove() > 0) {
                checkCancelled(cancelled);
                report.set("selfImprovement", rounds);
                lastJar = pack.writeStage(STAGE_SELF_IMPROVE, report, curves, budget, candidates, sink, jobId);
            }

            if (recipe.dpo()) {
                checkCancelled(cancelled);
                Budget.Share share = budget.begin("dpo");
                report.set("dpo", dpo(recipe, template, model, adapter, manager, train, sampled, plans, candidates,
                        out, jobId, sink, cancelled, curves, share));
                share.end();
                checkCancelled(cancelled);
                lastJar = pack.writeStage(STAGE_DPO, report, curves, budget, candidates, sink, jobId);
            }

            // The run's pack is its last stage's.
            Path stageDir = lastJar.getParent();
            Path jar = out.resolve(lastJar.getFileName());
            Files.copy(lastJar, jar, StandardCopyOption.REPLACE_EXISTING);
            Path png = out.resolve("loss.png");
            Files.copy(stageDir.resolve("style/loss.png"), png, StandardCopyOption.REPLACE_EXISTING);
            Path deployed = null;
            DeployGate.Verdict verdict = null;
            if (recipe.deployDir() != null) {
                checkCancelled(cancelled);
                Budget.Share share = replacing ? budget.begin("deploy-check") : null;
                verdict = deployVerdict(recipe, pack, base, model, val, plans, candidates, sink, jobId);
                if (share != null) {
                    share.end();
                }
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("deploy.json").toFile(),
                        verdictNode(verdict, budget));
                if (verdict.deploy()) {
                    deployed = new DeployFolder(recipe.deployDir()).deploy(jar);
                }
                note(sink, jobId, "deploy", (verdict.deploy() ? "deployed: " : "not deployed: ") + verdict.message());
            }
            sink.accept(new JobProgress(jobId, JobState.SUCCEEDED, "pack", 0, 0, Double.NaN, 0, 0, 0,
                    "wrote " + jar + " (stages: " + String.join(", ", stages) + " under " + out.resolve("stages")
                            + ")" + (deployed != null ? ", deployed to " + deployed
                            : verdict != null ? ", not deployed (" + verdict.message() + ")" : "")
                            + String.format(java.util.Locale.ROOT, "; %.1f of %s min", budget.elapsedSeconds() / 60,
                            recipe.loop().minutes() > 0 ? String.format(java.util.Locale.ROOT, "%.1f",
                                    recipe.loop().minutes()) : "unbounded")));
            return new StyleRun(jar, pack.version, deployed, stageDir.resolve("style/report.json"), png,
                    verdict == null ? null : verdict.message());
        }
    }

    /**
     * The {@link DeployGate} verdict on the run's pack: its last stage's validation figures against the base model's
     * (same plans, same decoding) and, when a pack of this style is deployed, against that pack scored here on the
     * same plans with its own template, defaults and vocabulary.
     */
    private DeployGate.Verdict deployVerdict(StyleRecipe recipe, Pack pack, BaseModelInfo base, LanguageModel model,
                                             List<CorpusText> val, Map<String, ContentPlan> plans,
                                             Candidates candidates, Consumer<JobProgress> sink, String jobId)
            throws IOException {
        ObjectNode mine = pack.lastScores;
        DeployGate.Figures packFigures = mine == null ? null : DeployGate.Figures.of(mine.get("withPack"));
        DeployGate.Figures baseFigures = mine == null ? null : DeployGate.Figures.of(mine.get("baseModel"));
        DeployGate.Figures replaced = null;
        String replacedNote = null;
        Path current = recipe.deployDir().resolve(recipe.id() + ".jar");
        if (Files.isRegularFile(current)) {
            note(sink, jobId, "deploy", "scoring the deployed " + current.getFileName() + " on the same validation plans");
            Path work = recipe.out().resolve("replaced-pack");
            deleteTree(work);
            try {
                StylePackJar.Header header = StylePackJar.read(current, work.resolve("style"));
                ValidatedStyle old = new StylePackValidator(new OneModel(base)).validate(work.resolve("style"),
                        header.styleId());
                GenerationOptions oldDefaults = old.descriptor().defaults().over(pack.defaults());
                PromptTemplate oldTemplate = old.descriptor().promptTemplate() == null
                        || old.descriptor().promptTemplate().isBlank() ? PromptTemplate.DEFAULT
                        : new PromptTemplate(old.descriptor().promptTemplate());
                try (LoraAdapter oldAdapter = model.loadAdapter(work.resolve("style"))) {
                    ObjectNode scores = validationScores(model, oldAdapter, val, plans, candidates, oldTemplate,
                            recipe.maxTokens(), oldDefaults, old.vocabulary());
                    replaced = DeployGate.Figures.of(scores.get("scores"));
                }
            } catch (InvalidStylePackException e) {
                // Another base model (or a broken file): it cannot be scored here, so there is no evidence this
                // pack is better than what users have now.
                replacedNote = "the deployed " + current.getFileName() + " cannot be scored on this base model ("
                        + e.getMessage() + ")";
            } finally {
                deleteTree(work);
            }
        }
        return DeployGate.judge(packFigures, baseFigures, replaced, replacedNote, recipe.force());
    }

    private static ObjectNode verdictNode(DeployGate.Verdict verdict, Budget budget) {
        ObjectNode n = JSON.createObjectNode();
        n.put("deployed", verdict.deploy());
        n.put("rule", DeployGate.RULE);
        ArrayNode reasons = n.putArray("reasons");
        verdict.reasons().forEach(reasons::add);
        n.set("budget", budget.report());
        return n;
    }

    /** The run's own base model as the validator's catalog: a replaced pack must be on it to be scored. */
    private record OneModel(BaseModelInfo model) implements ModelCatalog {
        @Override
        public List<BaseModelInfo> models() {
            return List.of(model);
        }

        @Override
        public java.util.Optional<BaseModelInfo> find(String id) {
            return model.id().equals(id) ? java.util.Optional.of(model) : java.util.Optional.empty();
        }
    }

    /** The stage folders and the stage names under them. */
    public static final String STAGE_SFT = "s-sft";
    public static final String STAGE_SELF_IMPROVE = "self-improve";
    public static final String STAGE_DPO = "c-dpo";

    /**
     * Writes one stage's pack: {@code out/stages/<stage>/style/} and {@code out/stages/<stage>/<id>-<version>.jar},
     * the adapter as it is now and a report.json with exactly the phases run so far (the bench reads the stage from
     * it: a {@code dpo} object, a non-empty {@code selfImprovement}, or {@code sft} alone), and the validation scores
     * of this adapter.
     */
    private final class Pack {
        final StyleRecipe recipe;
        final TrainingData data;
        final List<CorpusText> train;
        final List<CorpusText> val;
        final Map<String, ContentPlan> plans;
        final String plannerId;
        final BaseModelInfo base;
        final PromptTemplate template;
        final LanguageModel model;
        final LoraAdapter adapter;
        final String version;
        final int maxNew;
        int planFailureCount;
        ObjectNode baseScores;
        /** The last written stage's validationScores: what --deploy judges. */
        ObjectNode lastScores;

        Pack(StyleRecipe recipe, TrainingData data, List<CorpusText> train, List<CorpusText> val,
             Map<String, ContentPlan> plans, String plannerId, BaseModelInfo base, PromptTemplate template,
             LanguageModel model, LoraAdapter adapter, String version, int maxNew) {
            this.recipe = recipe;
            this.data = data;
            this.train = train;
            this.val = val;
            this.plans = plans;
            this.plannerId = plannerId;
            this.base = base;
            this.template = template;
            this.model = model;
            this.adapter = adapter;
            this.version = version;
            this.maxNew = maxNew;
        }

        GenerationOptions defaults() {
            return new GenerationOptions(maxNew, GEN_TEMPERATURE, GEN_TOP_K, GEN_TOP_P, GEN_REPETITION_PENALTY, null,
                    List.of(PromptFormat.END), GEN_COPY_BIAS, GEN_FACT_GUARD, GEN_MIN_COVERAGE);
        }

        Path writeStage(String stage, ObjectNode phases, List<LossChart.Curve> curves, Budget budget,
                        Candidates candidates, Consumer<JobProgress> sink, String jobId) throws IOException {
            Budget.Share share = budget.begin("stage-" + stage);
            note(sink, jobId, "pack-" + stage, "scoring validation outputs and writing the " + stage + " pack");
            Path stageDir = recipe.out().resolve("stages").resolve(stage);
            Path styleDir = stageDir.resolve("style");
            deleteTree(stageDir);
            Files.createDirectories(styleDir);
            adapter.save(styleDir, PACK_ADAPTER_DTYPE);
            recordDropout(styleDir.resolve("adapter_config.json"), recipe.dropout());
            String license = majority(data.records().stream().map(CorpusText::license).toList(), "unknown");
            String source = majority(data.records().stream().map(CorpusText::source).toList(), "");
            String styleName = majority(data.records().stream().map(CorpusText::style).toList(), recipe.id());
            String language = majority(plans.values().stream().map(ContentPlan::language).toList(), "en");
            writeExemplars(styleDir.resolve("exemplars.jsonl"), train, license);
            // The fact guard's vocabulary: over all training texts, not just the few exemplars the pack ships.
            Files.write(styleDir.resolve(StylePackFormat.VOCABULARY), candidates.vocabulary().words(),
                    StandardCharsets.UTF_8);
            Files.write(styleDir.resolve(StylePackFormat.FORM_WORDS), candidates.vocabulary().formWords(),
                    StandardCharsets.UTF_8);
            Files.write(styleDir.resolve(StylePackFormat.FORM_OPENERS), candidates.vocabulary().formOpeners().lines(),
                    StandardCharsets.UTF_8);
            ObjectNode style = JSON.createObjectNode();
            style.put("id", recipe.id());
            style.put("name", styleName);
            style.put("language", language);
            style.put("description", "The voice of " + recipe.corpus().getFileName() + " (style '" + styleName
                    + "'), trained by Penwright's trainer: " + switch (stage) {
                        case STAGE_SFT -> "S-SFT";
                        case STAGE_SELF_IMPROVE -> "S-SFT and " + recipe.selfImprove() + " self-improvement round(s)";
                        default -> "S-SFT" + (recipe.selfImprove() > 0 ? ", " + recipe.selfImprove()
                                + " self-improvement round(s)" : "") + " and C-DPO";
                    });
            style.put("baseModel", base.id());
            style.put("baseModelFingerprint", base.fingerprint());
            style.put("promptTemplate", template.text());
            GenerationOptions d = defaults();
            ObjectNode defaults = style.putObject("defaults");
            defaults.put("maxNewTokens", d.maxNewTokens());
            defaults.put("temperature", d.temperature());
            defaults.put("topK", d.topK());
            defaults.put("topP", d.topP());
            defaults.put("repetitionPenalty", d.repetitionPenalty());
            defaults.putArray("stop").add(PromptFormat.END);
            defaults.put("copyBias", d.copyBias());
            defaults.put("factGuard", d.factGuard());
            defaults.put("minCoverage", d.minCoverage());
            style.put("license", license);
            style.put("provenance", recipe.corpus().getFileName() + (source.isEmpty() ? "" : " (source " + source + ")")
                    + ", " + data.records().size() + " texts, " + train.size() + " used for training");
            JSON.writerWithDefaultPrettyPrinter().writeValue(styleDir.resolve("style.json").toFile(), style);
            LossChart.write(styleDir.resolve("loss.png"), "Style " + recipe.id() + " " + version + " (" + stage + ")",
                    curves);

            ObjectNode report = phases.deepCopy();
            report.put("stage", stage);
            if (baseScores == null) {
                // The base model decoded exactly as the pack decodes (its template, its defaults, copy-aware decoding
                // on), no adapter: the difference is what the adapter adds, and what --deploy asks of it.
                baseScores = validationScores(model, null, val, plans, candidates, template, recipe.maxTokens(),
                        defaults(), candidates.vocabulary());
            }
            ObjectNode scores = validationScores(model, adapter, val, plans, candidates, template, recipe.maxTokens(),
                    defaults(), candidates.vocabulary());
            if (scores.has("scores")) {
                scores.set("withPack", scores.remove("scores"));
            }
            if (baseScores.has("scores")) {
                scores.set("baseModel", baseScores.get("scores"));
            }
            scores.put("baseModelNote", "the base model with the pack's prompt template and decoding options"
                    + " (copy-aware decoding included), no adapter");
            lastScores = scores;
            report.set("validationScores", scores);
            report.put("style", recipe.id());
            report.put("version", version);
            report.put("created", Instant.now().toString());
            report.put("baseModel", base.id());
            report.put("baseModelFingerprint", base.fingerprint());
            report.put("planner", plannerId);
            report.put("promptTemplate", template.text());
            ObjectNode dataNode = report.putObject("data");
            // The file name: the report travels with the pack and is served over HTTP, the trainer's folders do not.
            dataNode.put("corpus", recipe.corpus().getFileName().toString());
            dataNode.put("format", data.format());
            dataNode.put("license", license);
            dataNode.put("source", source);
            dataNode.put("lines", data.records().size());
            dataNode.put("badLines", data.badLines().size());
            ArrayNode bad = dataNode.putArray("badLineDetails");
            data.badLines().stream().limit(50).forEach(b -> bad.add(b.toString()));
            dataNode.put("split", "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99 test");
            dataNode.put("train", train.size());
            dataNode.put("validation", val.size());
            dataNode.put("planFailures", planFailureCount);
            ObjectNode lora = report.putObject("lora");
            lora.put("r", recipe.rank());
            lora.put("alpha", recipe.alpha());
            lora.put("dropout", recipe.dropout());
            lora.put("dropoutNote", "applied to each adapted module's input h, lora_B(lora_A(dropout(h))), as PEFT does");
            ArrayNode targets = lora.putArray("targetModules");
            recipe.targets().forEach(targets::add);
            share.end();
            report.set("budget", budget.report());
            JSON.writerWithDefaultPrettyPrinter().writeValue(styleDir.resolve("report.json").toFile(), report);
            Path jar = stageDir.resolve(recipe.id() + "-" + version + ".jar");
            StylePackJar.write(jar, recipe.id(), version, styleDir);
            return jar;
        }
    }

    /**
     * A phase's loop settings: with a step count, {@code stepFraction} of it (as before a budget existed); with a
     * time budget, the phase's share of it.
     */
    private static LoopConfig phaseLoop(LoopConfig c, double stepFraction, Budget.Share share) {
        int steps = c.maxSteps() == 0 ? 0 : Math.max(1, (int) Math.round(c.maxSteps() * stepFraction));
        double minutes = share.loopMinutes(1.0);
        if (steps == 0 && minutes == 0) {
            throw new IllegalArgumentException("give a positive number of steps or minutes");
        }
        return new LoopConfig(steps, minutes, c.learningRate(), c.warmupSteps(), c.minLrRatio(), c.weightDecay(),
                c.clipNorm(), c.accumulation(), c.maxBatchTokens(), c.maxBatchRows(), c.evalEvery(), c.patience(),
                c.checkpointEvery(), c.seed());
    }

    /**
     * The pack's maxNewTokens: twice the model's context. A pack decodes copy-aware, so its text ends once the draft
     * is written, and a draft longer than the context is rendered section by section; the limit only bounds a text
     * that would not end. (A limit near the style's usual length cut the longest texts short.)
     */
    private static int maxNewTokens(LanguageModel model) {
        return 2 * model.config().maxPositions();
    }

    private static void checkCancelled(BooleanSupplier cancelled) throws IOException {
        if (cancelled(cancelled)) {
            throw new IOException("cancelled");
        }
    }

    private ObjectNode dpo(StyleRecipe recipe, PromptTemplate template, LanguageModel model, LoraAdapter adapter,
                           NDManager manager, List<CorpusText> train, List<CorpusText> sampled,
                           Map<String, ContentPlan> plans,
                           Candidates candidates,
                           Path out, String jobId, Consumer<JobProgress> sink, BooleanSupplier cancelled,
                           List<LossChart.Curve> curves, Budget.Share share) throws IOException {
        Path checkpoints = out.resolve("checkpoints/dpo");
        Path pairsFile = checkpoints.resolve("pairs.json");
        ObjectNode node = JSON.createObjectNode();
        node.put("beta", recipe.dpoBeta());
        Dpo dpo = new Dpo(model, adapter, recipe.dpoBeta(), manager);
        Dpo.Prepared prepared = recipe.resume() ? Dpo.loadPairs(pairsFile) : null;
        if (prepared != null) {
            note(sink, jobId, "dpo", "resuming C-DPO with the " + prepared.pairs().size()
                    + " pairs and reference log-probabilities saved in " + pairsFile);
            node.put("resumedFrom", pairsFile.toString());
        } else {
            // A fresh phase: checkpoints of an earlier run would not match these pairs.
            Dpo.deleteCheckpoints(checkpoints);
            note(sink, jobId, "dpo", "building C-DPO pairs");
            List<DpoPair> pairs = new ArrayList<>();
            int[] own = ownSamplePairs(recipe, template, model, adapter, train, plans, candidates, pairs, share,
                    cancelled, jobId, sink);
            node.put("ownSamplePlans", own[0]);
            node.put("fromOwnSamplesOwnChosen", own[1]);
            node.put("fromOwnSamplesOriginalChosen", own[2]);
            // Outputs written from plans whose facts were altered: they state figures the real plan does not hold.
            List<CorpusText> alterable = new ArrayList<>();
            for (CorpusText t : sampled) {
                if (Candidates.altered(plans.get(t.id())) != null
                        && alterable.size() < Math.min(MAX_ALTERED_PAIRS, MAX_DPO_PAIRS - pairs.size())) {
                    alterable.add(t);
                }
            }
            int fromAltered = 0;
            int fromAlteredText = 0;
            // A few at a time, within 30% of the phase's time; texts not sampled get the altered-text pair.
            for (int from = 0; from < alterable.size(); from += SAMPLE_CHUNK) {
                List<CorpusText> chunk = alterable.subList(from, Math.min(alterable.size(), from + SAMPLE_CHUNK));
                List<Generation> gens = null;
                if (!share.spent(0.3) && !cancelled(cancelled)) {
                    List<ContentPlan> alteredPlans = chunk.stream().map(t -> Candidates.altered(plans.get(t.id())))
                            .toList();
                    List<long[]> prompts = alteredPlans.stream().map(p -> Sequences.prompt(model, template, p,
                            recipe.maxTokens() / 2)).toList();
                    // The copy cursor carries the altered figures into the text: a sample that states them.
                    gens = candidates.sample(prompts, alteredPlans, 1, 1, Math.max(16, recipe.maxTokens() / 2),
                            adapter, recipe.loop().seed() * 104729 + from).stream().map(g -> g.get(0)).toList();
                }
                for (int i = 0; i < chunk.size(); i++) {
                    CorpusText t = chunk.get(i);
                    String text = gens == null || gens.get(i).text() == null ? "" : gens.get(i).text().strip();
                    Candidates.Scored s = text.isEmpty() ? null
                            : candidates.score(t.id(), text, plans.get(t.id()), PlanCache.material(t), 0);
                    if (s != null && !s.factual()) {
                        pairs.add(pair(model, template, t.id() + "#a", plans.get(t.id()), t.text(), text,
                                recipe.maxTokens(), "altered-plan"));
                        fromAltered++;
                    } else {
                        // The small model did not carry the altered figures over (or was not sampled): the original
                        // text with the altered figures stands in as the rejected side (the same contrast).
                        String alteredText = Candidates.alter(t.text());
                        if (!alteredText.equals(t.text())) {
                            pairs.add(pair(model, template, t.id() + "#t", plans.get(t.id()), t.text(), alteredText,
                                    recipe.maxTokens(), "altered-text"));
                            fromAlteredText++;
                        }
                    }
                }
            }
            int fromFile = 0;
            if (recipe.preference() != null) {
                try {
                    var file = new JsonlReader(recipe.onBadLine()).preference(recipe.preference());
                    for (PreferencePair p : file.records()) {
                        long[] prompt = preferencePrompt(model, template, p.prompt(), recipe.maxTokens() / 2);
                        int room = recipe.maxTokens() - prompt.length;
                        pairs.add(new DpoPair(p.id(), prompt, head(model.encode(p.chosen() + PromptFormat.END, false),
                                room), head(model.encode(p.rejected() + PromptFormat.END, false), room),
                                "preference-file"));
                        fromFile++;
                    }
                } catch (BadDataException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            node.put("fromPreferenceFile", fromFile);
            node.put("fromAlteredPlans", fromAltered);
            node.put("fromAlteredTexts", fromAlteredText);
            if (pairs.isEmpty()) {
                node.put("pairs", 0);
                node.put("skipped", "no pair: no sampled output had unsupported facts and no plan had a figure to alter");
                return node;
            }
            // The reference is the adapter as DPO starts (the S-SFT / self-improved one, frozen); its log-probabilities
            // are computed once and saved with the DPO checkpoints, so a resumed phase does not need it again.
            Path refDir = out.resolve("reference-adapter");
            adapter.save(refDir);
            try (LoraAdapter reference = model.loadAdapter(refDir)) {
                prepared = new Dpo.Prepared(pairs, dpo.referenceLogProbs(pairs, reference));
            }
            Dpo.savePairs(pairsFile, prepared);
        }
        List<DpoPair> pairs = prepared.pairs();
        Map<String, Integer> sources = new LinkedHashMap<>();
        pairs.forEach(p -> sources.merge(p.source(), 1, Integer::sum));
        node.put("pairs", pairs.size());
        ObjectNode bySource = node.putObject("pairsBySource");
        sources.forEach(bySource::put);
        double before = dpo.meanMargin(pairs, prepared.reference());
        // Two pairs a step: on a slow CPU a four-pair step took a DPO share of a minute whole.
        Dpo.Outcome outcome = dpo.train(pairs, prepared.reference(), new Dpo.Settings(recipe.dpoSteps(), 2,
                        recipe.loop().learningRate() * 0.25, share.limited() ? Math.max(5, share.left()) : 0,
                        Math.max(1, Math.min(10, recipe.loop().checkpointEvery()))),
                checkpoints, recipe.resume(), jobId, sink, cancelled);
        History h = outcome.history();
        double after = dpo.meanMargin(pairs, prepared.reference());
        curves.add(new LossChart.Curve("dpo", h));
        node.put("marginBefore", before);
        node.put("marginAfter", after);
        node.put("steps", outcome.steps());
        node.put("stopReason", outcome.stopReason());
        if (!h.steps.isEmpty()) {
            node.put("firstLoss", h.steps.get(0).loss());
            node.put("lastLoss", h.steps.get(h.steps.size() - 1).loss());
        }
        ArrayNode losses = node.putArray("losses");
        h.steps.forEach(p -> losses.add(p.loss()));
        return node;
    }

    /**
     * C-DPO pairs from the model's own samples, as SAG's content-level DPO makes them: for each of up to
     * {@value #DPO_SAMPLED_PLANS} training plans, k candidates from the adapter as C-DPO starts; the rejected
     * side is the worst that invents a fact or drops or contradicts a key fact (as the hallucination checker counts
     * them), the chosen side the best candidate that passes (in the model's own register), else the original text.
     * Sampling stops at half of the phase's time when the run has a budget. Returns {plans sampled, pairs with an own
     * chosen side, pairs with the original as chosen side}.
     */
    private static int[] ownSamplePairs(StyleRecipe recipe, PromptTemplate template, LanguageModel model,
                                        LoraAdapter adapter, List<CorpusText> train, Map<String, ContentPlan> plans,
                                        Candidates candidates, List<DpoPair> pairs, Budget.Share share,
                                        BooleanSupplier cancelled, String jobId, Consumer<JobProgress> sink) {
        List<CorpusText> todo = train.stream()
                .filter(t -> plans.containsKey(t.id()))
                .limit(DPO_SAMPLED_PLANS).toList();
        note(sink, jobId, "dpo", "sampling " + recipe.candidates() + " candidates for " + todo.size()
                + " plans (own-sample pairs)");
        int sampledPlans = 0;
        int ownChosen = 0;
        int originalChosen = 0;
        int maxNew = Math.max(16, recipe.maxTokens() / 2);
        for (int from = 0; from < todo.size() && pairs.size() < MAX_DPO_PAIRS - MAX_ALTERED_PAIRS / 2
                && !share.spent(0.5) && !cancelled(cancelled); from += SAMPLE_CHUNK) {
            List<CorpusText> chunk = todo.subList(from, Math.min(todo.size(), from + SAMPLE_CHUNK));
            List<long[]> prompts = chunk.stream()
                    .map(t -> Sequences.prompt(model, template, plans.get(t.id()), recipe.maxTokens() / 2)).toList();
            // Half the candidates decode with the copy cursor (the side to prefer), half freely (the side that
            // invents and drops facts): the pair teaches the adapter itself what the cursor enforces.
            List<List<Generation>> gens = candidates.sample(prompts,
                    chunk.stream().map(t -> plans.get(t.id())).toList(), recipe.candidates(),
                    (recipe.candidates() + 1) / 2, maxNew, adapter, recipe.loop().seed() * 15485863L + from);
            sampledPlans += chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                CorpusText t = chunk.get(i);
                ContentPlan plan = plans.get(t.id());
                Candidates.Scored worst = null;
                Candidates.Scored best = null;
                for (Generation g : gens.get(i)) {
                    String text = g.text() == null ? "" : g.text().strip();
                    if (text.isEmpty()) {
                        continue;
                    }
                    Candidates.Scored s = candidates.score(t.id(), text, plan, PlanCache.material(t), 0);
                    if (s.clean() && !s.contradicts()) {
                        if (best == null || s.style() + 100 * s.factRecall() > best.style() + 100 * best.factRecall()) {
                            best = s;
                        }
                    } else if (worst == null || badness(s) > badness(worst)) {
                        worst = s;
                    }
                }
                if (worst == null) {
                    continue;
                }
                String chosen = best != null ? best.text() : t.text();
                pairs.add(pair(model, template, t.id() + "#o", plan, chosen, worst.text(), recipe.maxTokens(),
                        best != null ? "own-sample/own-chosen" : "own-sample/original-chosen"));
                if (best != null) {
                    ownChosen++;
                } else {
                    originalChosen++;
                }
            }
        }
        return new int[] {sampledPlans, ownChosen, originalChosen};
    }

    /** How bad a rejected candidate is: an invented fact weighs most, then contradicted, then dropped key facts. */
    private static double badness(Candidates.Scored s) {
        return (s.factual() ? 0 : 2) + (s.contradicts() ? 1 : 0) + (1 - s.factRecall());
    }

    /**
     * A preference line's prompt as token ids: as it is when it already holds the text marker (a rendered prompt),
     * otherwise rendered with the pack's template as a plan whose title is the prompt, so that preference pairs and
     * generated prompts look the same to the model.
     */
    private static long[] preferencePrompt(LanguageModel model, PromptTemplate template, String prompt, int max) {
        if (prompt.contains(PromptTemplate.TEXT)) {
            return head(model.encode(prompt), max);
        }
        return Sequences.prompt(model, template, new ContentPlan(prompt, "", List.of(), "", "", "preference", null), max);
    }

    /**
     * Outputs for up to {@value #EVAL_ITEMS} validation plans with {@code adapter} (null: the bare base model), made
     * as a deployed pack makes them: {@code template}, {@code options} (seed 0) including copy-aware decoding with
     * the plan's draft and {@code vocabulary} for the fact guard. Scored against the held-out texts: style score,
     * ROUGE-L F (0-100, rouge-score's tokenizer), and the share of outputs with unsupported facts (factual) or
     * dropped/contradicted key facts (faithfulness). The result's {@code scores} object holds them.
     */
    private static ObjectNode validationScores(LanguageModel model, LoraAdapter adapter, List<CorpusText> val,
                                               Map<String, ContentPlan> plans, Candidates candidates,
                                               PromptTemplate template, int maxTokens, GenerationOptions options,
                                               StyleVocabulary vocabulary) {
        List<CorpusText> items = val.stream().filter(t -> plans.containsKey(t.id())).limit(EVAL_ITEMS).toList();
        ObjectNode node = JSON.createObjectNode();
        node.put("items", items.size());
        if (items.isEmpty()) {
            return node;
        }
        List<long[]> prompts = items.stream().map(t -> Sequences.prompt(model, template, plans.get(t.id()),
                maxTokens / 2)).toList();
        // Every option as the pack decodes, copy-aware ones included: a pack's figures without its copy cursor
        // were those of a decoding no user gets (its report once scored a pack's style below the base model's).
        GenerationOptions o = new GenerationOptions(options.maxNewTokens(), options.temperature(), options.topK(),
                options.topP(), options.repetitionPenalty(), 0L, List.of(PromptFormat.END), options.copyBias(),
                options.factGuard(), options.minCoverage());
        List<GenerateRequest> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            var plan = o.isCopyAware() ? candidates.context(prompts.get(i), plans.get(items.get(i).id()), vocabulary)
                    : null;
            // The styler renders a draft longer than the context in sections; the engine's own batch does not, so
            // a validation text ends where the context does (the pack's maxNewTokens is twice the context).
            int room = Math.max(1, model.config().maxPositions() - prompts.get(i).length);
            requests.add(new GenerateRequest(prompts.get(i), o.withMaxNewTokens(Math.min(o.maxNewTokens(), room)),
                    adapter, null, plan));
        }
        List<Generation> gens = model.generateAll(requests, 8);
        Rouge rouge = new Rouge();
        double style = 0;
        double rougeL = 0;
        int factual = 0;
        int unfaithful = 0;
        for (int i = 0; i < items.size(); i++) {
            CorpusText t = items.get(i);
            String text = gens.get(i).text() == null ? "" : gens.get(i).text().strip();
            Candidates.Scored s = candidates.score(t.id(), text, plans.get(t.id()), PlanCache.material(t), 0);
            style += s.style();
            rougeL += 100 * rouge.rougeL(t.text(), text).fmeasure();
            factual += s.factual() ? 0 : 1;
            unfaithful += s.faithful() ? 0 : 1;
        }
        ObjectNode n = node.putObject("scores");
        n.put("styleScore", style / items.size());
        n.put("rougeL", rougeL / items.size());
        n.put("factualHallucinationRate", (double) factual / items.size());
        n.put("faithfulnessHallucinationRate", (double) unfaithful / items.size());
        n.put("options", o.temperature() + " temperature, top-k " + o.topK() + ", top-p " + o.topP()
                + ", repetition penalty " + o.repetitionPenalty() + ", at most " + o.maxNewTokens() + " tokens, seed 0"
                + (o.isCopyAware() ? ", copy bias " + o.copyBias() + ", fact guard " + o.factGuard()
                + ", min coverage " + o.minCoverage() : ", copy-aware decoding off"));
        n.put("sample", gens.get(0).text() == null ? "" : gens.get(0).text());
        node.put("rougeSignature", rouge.signature("rougeL"));
        return node;
    }

    private static DpoPair pair(LanguageModel model, PromptTemplate template, String id, ContentPlan plan,
                                String chosen, String rejected, int maxTokens, String source) {
        long[] prompt = Sequences.prompt(model, template, plan, maxTokens / 2);
        int room = maxTokens - prompt.length;
        return new DpoPair(id, prompt, head(model.encode(chosen + PromptFormat.END, false), room),
                head(model.encode(rejected + PromptFormat.END, false), room), source);
    }

    private static long[] head(long[] ids, int n) {
        return ids.length <= n ? ids : java.util.Arrays.copyOf(ids, n);
    }

    private static List<Example> examples(LanguageModel model, PromptTemplate template, List<CorpusText> texts,
                                          Map<String, ContentPlan> plans, int maxTokens) {
        List<Example> out = new ArrayList<>();
        for (CorpusText t : texts) {
            ContentPlan plan = plans.get(t.id());
            if (plan != null) {
                out.add(Sequences.example(model, template, t.id(), plan, t.text(), maxTokens));
            }
        }
        return out;
    }

    /** The pad id: the end-of-sequence token (never scored: padding carries no loss). */
    static long pad(LanguageModel model) {
        return model.config().eosTokenIds().isEmpty() ? 0 : model.config().eosTokenIds().get(0);
    }

    private static ObjectNode result(TrainingResult r, int trainExamples, int valExamples) {
        ObjectNode n = JSON.createObjectNode();
        n.put("steps", r.steps());
        n.put("stopReason", r.stopReason());
        n.put("trainExamples", trainExamples);
        n.put("validationExamples", valExamples);
        n.put("firstLoss", r.firstLoss());
        n.put("lastLoss", r.lastLoss());
        if (!Double.isNaN(r.bestValLoss())) {
            n.put("bestValidationLoss", r.bestValLoss());
        }
        // The weights the phase ended with: the best validated step's, not necessarily the last.
        n.put("keptStep", r.keptStep());
        ArrayNode evals = n.putArray("validation");
        r.history().evals.forEach(e -> evals.addArray().add(e.step()).add(e.loss()));
        ArrayNode losses = n.putArray("losses");
        r.history().steps.forEach(s -> losses.add(s.loss()));
        n.put("tokensPerSecond", r.tokensPerSecond());
        n.put("tokens", r.trainedTokens());
        n.put("seconds", r.seconds());
        return n;
    }

    private static void recordDropout(Path adapterConfig, double dropout) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(adapterConfig.toFile());
        c.put("lora_dropout", dropout);
        JSON.writerWithDefaultPrettyPrinter().writeValue(adapterConfig.toFile(), c);
    }

    private static void writeExemplars(Path file, List<CorpusText> train, String license) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (CorpusText t : train.stream().limit(EXEMPLARS).toList()) {
                ObjectNode n = JSON.createObjectNode();
                n.put("id", t.id());
                n.put("title", t.title());
                n.put("text", t.text());
                n.put("license", t.license().isEmpty() ? license : t.license());
                w.write(JSON.writeValueAsString(n));
                w.newLine();
            }
        }
    }

    private static String majority(List<String> values, String fallback) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        values.stream().filter(v -> v != null && !v.isBlank()).forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(fallback);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static boolean cancelled(BooleanSupplier c) {
        return c != null && c.getAsBoolean();
    }

    private static void note(Consumer<JobProgress> sink, String jobId, String phase, String message) {
        sink.accept(new JobProgress(jobId, JobState.RUNNING, phase, 0, 0, Double.NaN, 0, 0, -1, message));
    }
}
