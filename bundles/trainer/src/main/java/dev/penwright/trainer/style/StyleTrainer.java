package dev.penwright.trainer.style;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import dev.penwright.stylepacks.DeployFolder;
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
 * best one that is faithful, free of unsupported facts and scores above the style threshold, train on the grown
 * set) and C-DPO (chosen = the faithful text, rejected = sampled outputs with unsupported facts and outputs written
 * from plans whose facts were altered; the reference is the frozen adapter before DPO). The run folder keeps plans,
 * checkpoints (one folder a phase) and the jar; {@code resume} continues each phase from its latest checkpoint.
 */
public final class StyleTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXEMPLARS = 8;
    private static final int MAX_SAMPLED_PLANS = 24;
    private static final int MAX_DPO_PAIRS = 32;
    private static final int EVAL_ITEMS = 8;

    private final Planner planner;

    public StyleTrainer(Planner planner) {
        this.planner = planner;
    }

    public StyleRun run(StyleRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        Consumer<JobProgress> sink = progress == null ? p -> { } : progress;
        Path out = recipe.out();
        Files.createDirectories(out);
        Dataset<CorpusText> corpus = new JsonlReader(recipe.onBadLine()).corpus(recipe.corpus());
        List<CorpusText> train = Split.TRAIN.select(corpus.records(), CorpusText::id);
        List<CorpusText> val = Split.VALIDATION.select(corpus.records(), CorpusText::id);
        if (recipe.maxExamples() > 0 && train.size() > recipe.maxExamples()) {
            train = train.subList(0, recipe.maxExamples());
        }
        int maxVal = Math.max(4, Math.min(64, train.size() / 8));
        if (val.size() > maxVal) {
            val = val.subList(0, maxVal);
        }
        if (train.isEmpty()) {
            throw new BadDataException(recipe.corpus() + ": no text falls in the training split (80% of ids by hash)");
        }
        note(sink, jobId, "plan", "planning " + (train.size() + val.size()) + " texts with planner " + planner.id());
        List<String> planFailures = new ArrayList<>();
        List<CorpusText> all = new ArrayList<>(train);
        all.addAll(val);
        Map<String, ContentPlan> plans = PlanCache.plans(planner, all, out.resolve("plans.jsonl"), planFailures);

        String baseId = recipe.baseModel().toAbsolutePath().normalize().getFileName().toString();
        BaseModelInfo base = ModelFolder.read(baseId, recipe.baseModel());
        ObjectNode report = JSON.createObjectNode();
        List<LossChart.Curve> curves = new ArrayList<>();
        try (LanguageModel model = LanguageModel.load(recipe.baseModel());
             NDManager manager = NDManager.newBaseManager()) {
            if (!model.hasTokenizer()) {
                throw new IOException(recipe.baseModel() + " has no tokenizer.json");
            }
            List<Example> trainEx = examples(model, train, plans, recipe.maxTokens());
            List<Example> valEx = examples(model, val, plans, recipe.maxTokens());
            LoraConfig loraConfig = new LoraConfig(recipe.rank(), recipe.alpha(), recipe.targets(), Map.of(), Map.of(),
                    false, baseId);
            LoraAdapter adapter = model.createAdapter(recipe.id(), loraConfig, recipe.loop().seed(), true);
            LoraTask task = new LoraTask(model, adapter, recipe.dropout(), manager);
            int phases = 1 + recipe.selfImprove() + (recipe.dpo() ? 1 : 0);
            LoopConfig sftConfig = share(recipe.loop(), phases == 1 ? 1.0 : 0.6);

            TrainingResult sft = new TrainingLoop(task, sftConfig, trainEx, valEx, pad(model), out.resolve("checkpoints/sft"),
                    jobId, "sft", sink, cancelled).run(recipe.resume());
            curves.add(new LossChart.Curve("sft", sft.history()));
            report.set("sft", result(sft, trainEx.size(), valEx.size()));

            Candidates candidates = new Candidates(model, train.stream().map(CorpusText::text).toList(),
                    plans.values().stream().map(ContentPlan::neutralDraft).toList());
            Map<String, CorpusText> byId = new HashMap<>();
            all.forEach(t -> byId.put(t.id(), t));
            List<CorpusText> sampled = train.stream().filter(t -> plans.containsKey(t.id()))
                    .limit(MAX_SAMPLED_PLANS).toList();
            ArrayNode rounds = report.putArray("selfImprovement");
            List<Example> grown = new ArrayList<>(trainEx);
            List<Candidates.Scored> hallucinated = new ArrayList<>();
            List<String> hallucinatedIds = new ArrayList<>();
            for (int r = 1; r <= recipe.selfImprove() && !cancelled(cancelled); r++) {
                note(sink, jobId, "self-improve-" + r, "sampling " + recipe.candidates() + " candidates for "
                        + sampled.size() + " plans");
                List<long[]> prompts = sampled.stream()
                        .map(t -> Sequences.prompt(model, plans.get(t.id()), recipe.maxTokens() / 2)).toList();
                int maxNew = Math.max(16, recipe.maxTokens() / 2);
                List<List<Generation>> gens = candidates.sample(prompts, recipe.candidates(), maxNew, adapter,
                        recipe.loop().seed() * 7919 + r);
                int kept = 0;
                double styleSum = 0;
                int scoredCount = 0;
                int faithfulCount = 0;
                for (int i = 0; i < sampled.size(); i++) {
                    CorpusText t = sampled.get(i);
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
                        if (!s.factual()) {
                            hallucinated.add(s);
                            hallucinatedIds.add(t.id());
                        }
                        if (s.clean() && s.style() >= recipe.styleThreshold() && (best == null || s.style() > best.style())) {
                            best = s;
                        }
                    }
                    if (best != null) {
                        kept++;
                        grown.add(Sequences.example(model, t.id() + "#si" + r, plan, best.text(), recipe.maxTokens()));
                    }
                }
                ObjectNode round = rounds.addObject();
                round.put("round", r);
                round.put("plans", sampled.size());
                round.put("candidates", scoredCount);
                round.put("kept", kept);
                round.put("acceptanceRate", sampled.isEmpty() ? 0 : (double) kept / sampled.size());
                round.put("meanStyleScore", scoredCount == 0 ? 0 : styleSum / scoredCount);
                round.put("cleanRate", scoredCount == 0 ? 0 : (double) faithfulCount / scoredCount);
                round.put("styleThreshold", recipe.styleThreshold());
                if (kept > 0) {
                    LoopConfig siConfig = share(recipe.loop(), 0.4 / Math.max(1, phases - 1));
                    TrainingResult si = new TrainingLoop(task, siConfig, grown, valEx, pad(model),
                            out.resolve("checkpoints/self-improve-" + r), jobId, "self-improve-" + r, sink, cancelled)
                            .run(recipe.resume());
                    curves.add(new LossChart.Curve("self-improve-" + r, si.history()));
                    round.set("training", result(si, grown.size(), valEx.size()));
                }
            }

            if (recipe.dpo() && !cancelled(cancelled)) {
                report.set("dpo", dpo(recipe, model, adapter, manager, sampled, plans, candidates, hallucinated,
                        hallucinatedIds, out, jobId, sink, cancelled, curves));
            }
            if (cancelled(cancelled)) {
                throw new IOException("cancelled");
            }
            note(sink, jobId, "evaluate", "scoring greedy outputs on validation plans, with and without the adapter");
            report.set("validationScores", validationScores(model, adapter, val, plans, candidates, recipe.maxTokens()));

            // The pack.
            note(sink, jobId, "pack", "writing the style pack");
            String version = PackVersions.next(recipe.id(), out, recipe.deployDir());
            Path styleDir = out.resolve("pack/style");
            if (Files.exists(styleDir)) {
                try (var walk = Files.walk(styleDir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(styleDir);
            adapter.save(styleDir);
            recordDropout(styleDir.resolve("adapter_config.json"), recipe.dropout());
            String license = majority(corpus.records().stream().map(CorpusText::license).toList(), "unknown");
            String source = majority(corpus.records().stream().map(CorpusText::source).toList(), "");
            String styleName = majority(corpus.records().stream().map(CorpusText::style).toList(), recipe.id());
            String language = majority(plans.values().stream().map(ContentPlan::language).toList(), "en");
            writeExemplars(styleDir.resolve("exemplars.jsonl"), train, license);
            ObjectNode style = JSON.createObjectNode();
            style.put("id", recipe.id());
            style.put("name", styleName);
            style.put("language", language);
            style.put("description", "The voice of " + recipe.corpus().getFileName() + " (style '" + styleName
                    + "'), trained by Penwright's trainer: S-SFT" + (recipe.selfImprove() > 0 ? ", "
                    + recipe.selfImprove() + " self-improvement round(s)" : "") + (recipe.dpo() ? ", C-DPO" : ""));
            style.put("baseModel", base.id());
            style.put("baseModelFingerprint", base.fingerprint());
            style.put("promptTemplate", PromptFormat.TEMPLATE);
            ObjectNode defaults = style.putObject("defaults");
            defaults.put("maxNewTokens", 256);
            defaults.put("temperature", 0.7);
            defaults.put("topP", 0.95);
            defaults.put("repetitionPenalty", 1.1);
            defaults.putArray("stop").add(PromptFormat.END);
            style.put("license", license);
            style.put("provenance", recipe.corpus().getFileName() + (source.isEmpty() ? "" : " (source " + source + ")")
                    + ", " + corpus.records().size() + " texts, " + train.size() + " used for training");
            JSON.writerWithDefaultPrettyPrinter().writeValue(styleDir.resolve("style.json").toFile(), style);

            Path png = out.resolve("loss.png");
            LossChart.write(png, "Style " + recipe.id() + " " + version, curves);
            Files.copy(png, styleDir.resolve("loss.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            report.put("style", recipe.id());
            report.put("version", version);
            report.put("created", Instant.now().toString());
            report.put("baseModel", base.id());
            report.put("baseModelFingerprint", base.fingerprint());
            report.put("planner", planner.id());
            ObjectNode data = report.putObject("data");
            data.put("corpus", recipe.corpus().toAbsolutePath().toString());
            data.put("license", license);
            data.put("source", source);
            data.put("lines", corpus.records().size());
            data.put("badLines", corpus.badLines().size());
            ArrayNode bad = data.putArray("badLineDetails");
            corpus.badLines().stream().limit(50).forEach(b -> bad.add(b.toString()));
            data.put("split", "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99 test");
            data.put("train", train.size());
            data.put("validation", val.size());
            data.put("planFailures", planFailures.size());
            ObjectNode lora = report.putObject("lora");
            lora.put("r", recipe.rank());
            lora.put("alpha", recipe.alpha());
            lora.put("dropout", recipe.dropout());
            lora.put("dropoutNote", "applied to the rank-r activations h·A (the engine fuses A into the layer)");
            ArrayNode targets = lora.putArray("targetModules");
            recipe.targets().forEach(targets::add);
            Path reportFile = styleDir.resolve("report.json");
            JSON.writerWithDefaultPrettyPrinter().writeValue(reportFile.toFile(), report);

            Path jar = out.resolve(recipe.id() + "-" + version + ".jar");
            StylePackJar.write(jar, recipe.id(), version, styleDir);
            Path deployed = null;
            if (recipe.deployDir() != null) {
                deployed = new DeployFolder(recipe.deployDir()).deploy(jar);
            }
            sink.accept(new JobProgress(jobId, JobState.SUCCEEDED, "pack", 0, 0, Double.NaN, 0, 0, 0,
                    "wrote " + jar + (deployed == null ? "" : ", deployed to " + deployed)));
            return new StyleRun(jar, version, deployed, reportFile, png);
        }
    }

    private ObjectNode dpo(StyleRecipe recipe, LanguageModel model, LoraAdapter adapter, NDManager manager,
                           List<CorpusText> sampled, Map<String, ContentPlan> plans, Candidates candidates,
                           List<Candidates.Scored> hallucinated, List<String> hallucinatedIds, Path out, String jobId,
                           Consumer<JobProgress> sink, BooleanSupplier cancelled, List<LossChart.Curve> curves)
            throws IOException {
        note(sink, jobId, "dpo", "building C-DPO pairs");
        Map<String, CorpusText> byId = new HashMap<>();
        sampled.forEach(t -> byId.put(t.id(), t));
        List<DpoPair> pairs = new ArrayList<>();
        int fromSamples = 0;
        for (int i = 0; i < hallucinated.size() && pairs.size() < MAX_DPO_PAIRS / 2; i++) {
            CorpusText t = byId.get(hallucinatedIds.get(i));
            if (t != null) {
                pairs.add(pair(model, t.id() + "#h" + i, plans.get(t.id()), t.text(), hallucinated.get(i).text(),
                        recipe.maxTokens(), "sampled-hallucination"));
                fromSamples++;
            }
        }
        // Outputs written from plans whose facts were altered: they state figures the real plan does not hold.
        List<CorpusText> alterable = new ArrayList<>();
        List<long[]> alteredPrompts = new ArrayList<>();
        for (CorpusText t : sampled) {
            ContentPlan altered = Candidates.altered(plans.get(t.id()));
            if (altered != null && alterable.size() < MAX_DPO_PAIRS - pairs.size()) {
                alterable.add(t);
                alteredPrompts.add(Sequences.prompt(model, altered, recipe.maxTokens() / 2));
            }
        }
        int fromAltered = 0;
        int fromAlteredText = 0;
        if (!alterable.isEmpty()) {
            List<List<Generation>> gens = candidates.sample(alteredPrompts, 1, Math.max(16, recipe.maxTokens() / 2),
                    adapter, recipe.loop().seed() * 104729);
            for (int i = 0; i < alterable.size(); i++) {
                CorpusText t = alterable.get(i);
                String text = gens.get(i).get(0).text() == null ? "" : gens.get(i).get(0).text().strip();
                Candidates.Scored s = text.isEmpty() ? null
                        : candidates.score(t.id(), text, plans.get(t.id()), PlanCache.material(t), 0);
                if (s != null && !s.factual()) {
                    pairs.add(pair(model, t.id() + "#a", plans.get(t.id()), t.text(), text, recipe.maxTokens(),
                            "altered-plan"));
                    fromAltered++;
                } else {
                    // The small model did not carry the altered figures over: the original text with the altered
                    // figures stands in as the rejected side (the same facts-not-in-plan contrast).
                    String alteredText = Candidates.alter(t.text());
                    if (!alteredText.equals(t.text())) {
                        pairs.add(pair(model, t.id() + "#t", plans.get(t.id()), t.text(), alteredText,
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
                    long[] prompt = head(model.encode(p.prompt()), recipe.maxTokens() / 2);
                    int room = recipe.maxTokens() - prompt.length;
                    pairs.add(new DpoPair(p.id(), prompt, head(model.encode(p.chosen() + PromptFormat.END, false), room),
                            head(model.encode(p.rejected() + PromptFormat.END, false), room), "preference-file"));
                    fromFile++;
                }
            } catch (BadDataException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("beta", recipe.dpoBeta());
        node.put("fromPreferenceFile", fromFile);
        node.put("pairs", pairs.size());
        node.put("fromSampledHallucinations", fromSamples);
        node.put("fromAlteredPlans", fromAltered);
        node.put("fromAlteredTexts", fromAlteredText);
        if (pairs.isEmpty()) {
            node.put("skipped", "no pair: no sampled output had unsupported facts and no plan had a figure to alter");
            return node;
        }
        Path refDir = out.resolve("reference-adapter");
        adapter.save(refDir);
        try (LoraAdapter reference = model.loadAdapter(refDir)) {
            Dpo dpo = new Dpo(model, adapter, recipe.dpoBeta(), manager);
            double[][] ref = dpo.referenceLogProbs(pairs, reference);
            double before = dpo.meanMargin(pairs, ref);
            History h = dpo.train(pairs, ref, recipe.dpoSteps(), 4, recipe.loop().learningRate() * 0.25, jobId, sink,
                    cancelled);
            double after = dpo.meanMargin(pairs, ref);
            curves.add(new LossChart.Curve("dpo", h));
            node.put("marginBefore", before);
            node.put("marginAfter", after);
            node.put("steps", h.steps.size());
            if (!h.steps.isEmpty()) {
                node.put("firstLoss", h.steps.get(0).loss());
                node.put("lastLoss", h.steps.get(h.steps.size() - 1).loss());
            }
        }
        return node;
    }

    /**
     * Greedy outputs for up to {@value #EVAL_ITEMS} validation plans, with the trained adapter and with the bare base
     * model, scored against the held-out texts: style score, ROUGE-L F (0-100, rouge-score's tokenizer), and the
     * share of outputs with unsupported facts (factual) or dropped/contradicted key facts (faithfulness).
     */
    private static ObjectNode validationScores(LanguageModel model, LoraAdapter adapter, List<CorpusText> val,
                                               Map<String, ContentPlan> plans, Candidates candidates, int maxTokens) {
        List<CorpusText> items = val.stream().filter(t -> plans.containsKey(t.id())).limit(EVAL_ITEMS).toList();
        ObjectNode node = JSON.createObjectNode();
        node.put("items", items.size());
        if (items.isEmpty()) {
            return node;
        }
        List<long[]> prompts = items.stream().map(t -> Sequences.prompt(model, plans.get(t.id()), maxTokens / 2)).toList();
        Rouge rouge = new Rouge();
        for (boolean withAdapter : new boolean[] {true, false}) {
            List<GenerateRequest> requests = new ArrayList<>();
            for (long[] p : prompts) {
                GenerationOptions o = new GenerationOptions(Math.max(16, maxTokens / 2), 0.0, 0, 1.0, 1.1, 0L,
                        List.of(PromptFormat.END));
                requests.add(new GenerateRequest(p, o, withAdapter ? adapter : null));
            }
            List<Generation> gens = model.generateAll(requests, 8);
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
            ObjectNode n = node.putObject(withAdapter ? "withPack" : "baseModel");
            n.put("styleScore", style / items.size());
            n.put("rougeL", rougeL / items.size());
            n.put("factualHallucinationRate", (double) factual / items.size());
            n.put("faithfulnessHallucinationRate", (double) unfaithful / items.size());
            if (withAdapter) {
                n.put("sample", gens.get(0).text() == null ? "" : gens.get(0).text());
            }
        }
        node.put("rougeSignature", rouge.signature("rougeL"));
        return node;
    }

    private static DpoPair pair(LanguageModel model, String id, ContentPlan plan, String chosen, String rejected,
                                int maxTokens, String source) {
        long[] prompt = Sequences.prompt(model, plan, maxTokens / 2);
        int room = maxTokens - prompt.length;
        return new DpoPair(id, prompt, head(model.encode(chosen + PromptFormat.END, false), room),
                head(model.encode(rejected + PromptFormat.END, false), room), source);
    }

    private static long[] head(long[] ids, int n) {
        return ids.length <= n ? ids : java.util.Arrays.copyOf(ids, n);
    }

    private static List<Example> examples(LanguageModel model, List<CorpusText> texts, Map<String, ContentPlan> plans,
                                          int maxTokens) {
        List<Example> out = new ArrayList<>();
        for (CorpusText t : texts) {
            ContentPlan plan = plans.get(t.id());
            if (plan != null) {
                out.add(Sequences.example(model, t.id(), plan, t.text(), maxTokens));
            }
        }
        return out;
    }

    /** The pad id: the end-of-sequence token (never scored: padding carries no loss). */
    static long pad(LanguageModel model) {
        return model.config().eosTokenIds().isEmpty() ? 0 : model.config().eosTokenIds().get(0);
    }

    /** A phase's share of the steps or minutes of the whole run. */
    private static LoopConfig share(LoopConfig c, double fraction) {
        int steps = c.maxSteps() == 0 ? 0 : Math.max(1, (int) Math.round(c.maxSteps() * fraction));
        double minutes = c.minutes() * fraction;
        return new LoopConfig(steps, minutes, c.learningRate(), c.warmupSteps(), c.minLrRatio(), c.weightDecay(),
                c.clipNorm(), c.accumulation(), c.maxBatchTokens(), c.maxBatchRows(), c.evalEvery(), c.patience(),
                c.checkpointEvery(), c.seed());
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

    private static boolean cancelled(BooleanSupplier c) {
        return c != null && c.getAsBoolean();
    }

    private static void note(Consumer<JobProgress> sink, String jobId, String phase, String message) {
        sink.accept(new JobProgress(jobId, JobState.RUNNING, phase, 0, 0, Double.NaN, 0, 0, -1, message));
    }
}
