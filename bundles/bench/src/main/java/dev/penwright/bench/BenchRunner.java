package dev.penwright.bench;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.evaluators.Bleu;
import dev.penwright.evaluators.ContentRecall;
import dev.penwright.evaluators.BleuScore;
import dev.penwright.evaluators.BleuTokenizer;
import dev.penwright.evaluators.HallucinationChecker;
import dev.penwright.evaluators.HallucinationReport;
import dev.penwright.evaluators.LlmHallucinationJudge;
import dev.penwright.evaluators.Rouge;
import dev.penwright.evaluators.StyleClassifier;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Split;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The style-imitation benchmark: for each style, the first {@code n} texts of its TEST split (the trainer's split,
 * or a seeded sample of it), the planner's plan of each, every system's regeneration, scored against the original.
 */
public final class BenchRunner {
    /** The style classifier's class of neutral drafts (no style id can be this: ids have no parentheses). */
    static final String NEUTRAL_CLASS = "(neutral draft)";
    /** Per style, at most this many TRAIN texts teach the style classifier (seeded sample; keeps the run short). */
    public static final int CLASSIFIER_TEXTS_PER_STYLE = 2000;
    private static final int EXAMPLES_PER_STYLE = 3;

    private final Corpora corpora;
    private final Planner planner;
    private final Progress progress;
    private final LlmHallucinationJudge judge;
    private final int concurrency;

    public BenchRunner(Corpora corpora, Planner planner, Progress progress) {
        this(corpora, planner, progress, null, 1);
    }

    /**
     * @param judge       an LLM judge of hallucination run on every row's outputs besides the rules, or null
     * @param concurrency how many texts a system renders at once (1: one after another, exactly repeatable)
     */
    public BenchRunner(Corpora corpora, Planner planner, Progress progress, LlmHallucinationJudge judge,
                       int concurrency) {
        this.judge = judge;
        this.corpora = corpora;
        this.planner = planner;
        this.progress = progress == null ? Progress.NONE : progress;
        this.concurrency = Math.max(1, concurrency);
    }

    /**
     * @param styles  corpus style names
     * @param n       texts a style (fewer when its test split is smaller)
     * @param seed    null for the test split's file order, else a seeded sample of it
     * @param systems the rows, in table order; a {@link RetrievalSystem} among them is given each style's TRAIN texts
     */
    public BenchResult run(List<String> styles, int n, Long seed, List<BenchSystem> systems) throws Exception {
        return run(styles, n, seed, systems, Map.of());
    }

    /** @param extraSettings what else the report should record about the run (pack sources, model, shots) */
    public BenchResult run(List<String> styles, int n, Long seed, List<BenchSystem> systems,
                           Map<String, Object> extraSettings) throws Exception {
        return run(styles, n, seed, systems, extraSettings, Split.TEST);
    }

    /** @param part the split the scored texts come from: TEST, or VALIDATION to choose settings without the test */
    public BenchResult run(List<String> styles, int n, Long seed, List<BenchSystem> systems,
                           Map<String, Object> extraSettings, Split part) throws Exception {
        if (styles.isEmpty()) {
            throw new IllegalArgumentException("no styles given");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        long start = System.nanoTime();
        Map<String, List<CorpusText>> train = new LinkedHashMap<>();
        Map<String, List<CorpusText>> test = new LinkedHashMap<>();
        Map<String, String> languages = new LinkedHashMap<>();
        for (String style : styles) {
            List<CorpusText> all = corpora.load(style);
            train.put(style, Split.TRAIN.select(all, CorpusText::id));
            test.put(style, part.select(all, CorpusText::id));
            languages.put(style, Corpora.language(all));
            for (BenchSystem s : systems) {
                s.prepare(style, train.get(style));
            }
        }
        // With the neutral-draft class a single style has a classifier too (its style against its own drafts).
        StyleClassifier classifier = classifier(train, seed == null ? 42L : seed);

        List<StyleTable> tables = new ArrayList<>();
        for (String style : styles) {
            tables.add(runStyle(style, languages.get(style), train.get(style).size(), test.get(style), n, seed,
                    systems, classifier));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("styles", styles);
        settings.put("n", n);
        settings.put("seed", seed);
        settings.put("scored", part.name().toLowerCase(java.util.Locale.ROOT) + " split");
        settings.put("splitRule", "trainer Split: sha256(id) first 8 bytes mod 100; 0-79 train, 80-89 val, 90-99 test");
        settings.put("planner", planner.id());
        // Relative to the working directory when inside it: a report names no machine's paths.
        Path cwd = Path.of("").toAbsolutePath();
        settings.put("corpora", corpora.folders().stream()
                .map(f -> f.startsWith(cwd) ? cwd.relativize(f).toString() : f.toString()).toList());
        settings.put("styleClassifier", classifier.description() + " trained on at most " + CLASSIFIER_TEXTS_PER_STYLE
                + " TRAIN texts a style and, as the class " + NEUTRAL_CLASS + ", the planner's neutral drafts of "
                + CLASSIFIER_TEXTS_PER_STYLE / styles.size() + " of them a style");
        settings.putAll(extraSettings);
        return new BenchResult(settings, tables, overall(tables, systems), (System.nanoTime() - start) / 1e9);
    }

    /**
     * The style classifier: one class a style (its TRAIN texts) and a {@value #NEUTRAL_CLASS} class made of the
     * planner's neutral drafts of some of the same TRAIN texts. Without it the classifier learnt each corpus's
     * vocabulary, so a draft that keeps the content scored within a point of the original (debian-desc 93.0 vs 93.5)
     * and the score could not show what styling adds; with it, the same words without their form are told apart
     * from the style.
     */
    private StyleClassifier classifier(Map<String, List<CorpusText>> train, long seed) throws PlanningException {
        Map<String, List<String>> texts = new LinkedHashMap<>();
        List<String> neutral = new ArrayList<>();
        int draftsPerStyle = CLASSIFIER_TEXTS_PER_STYLE / train.size();
        for (Map.Entry<String, List<CorpusText>> e : train.entrySet()) {
            List<CorpusText> sample = new ArrayList<>(e.getValue());
            if (sample.size() > CLASSIFIER_TEXTS_PER_STYLE) {
                Collections.shuffle(sample, new Random(seed));
                sample = sample.subList(0, CLASSIFIER_TEXTS_PER_STYLE);
            }
            texts.put(e.getKey(), sample.stream().map(CorpusText::text).toList());
            String language = Corpora.language(e.getValue());
            for (CorpusText t : sample.subList(0, Math.min(draftsPerStyle, sample.size()))) {
                String draft = planner.plan(new Material("", List.of(), t.text(), language)).neutralDraft();
                if (!draft.isBlank()) {
                    neutral.add(draft);
                }
            }
        }
        texts.put(NEUTRAL_CLASS, neutral);
        return StyleClassifier.train(texts);
    }

    private StyleTable runStyle(String style, String language, int trainSize, List<CorpusText> testSplit, int n,
                                Long seed, List<BenchSystem> systems, StyleClassifier classifier) throws Exception {
        List<CorpusText> chosen = new ArrayList<>(testSplit);
        if (seed != null) {
            Collections.shuffle(chosen, new Random(seed));
        }
        chosen = chosen.stream().filter(t -> !t.text().isBlank()).limit(n).toList();
        List<BenchItem> items = new ArrayList<>();
        for (CorpusText t : chosen) {
            ContentPlan plan = planner.plan(new Material("", List.of(), t.text(), language));
            items.add(new BenchItem(t, plan, language));
            progress.update("plan", style, planner.id(), items.size(), chosen.size());
        }
        List<RowResult> rows = new ArrayList<>();
        Map<String, List<String>> outputsBySystem = new LinkedHashMap<>();
        for (BenchSystem system : systems) {
            var reason = system.unavailableReason(style);
            if (reason.isPresent()) {
                rows.add(RowResult.notAvailable(system.key(), system.label(), reason.get()));
                continue;
            }
            long t0 = System.nanoTime();
            List<String> outputs = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            int truncations = 0;
            long shots = 0;
            for (Rendered r : renderAll(system, style, items)) {
                outputs.add(r.output().text());
                truncations += r.output().draftTruncated() ? 1 : 0;
                shots += r.output().shots();
                if (r.failure() != null) {
                    failures.add(r.failure());
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            outputsBySystem.put(system.key(), outputs);
            String what = system instanceof StylerSystem s ? s.pack(style).map(p -> "pack " + p.ref()).orElse("base model")
                    : system instanceof LlmFewShotSystem l ? l.describe() : system.key();
            boolean prompted = system instanceof StylerSystem || system instanceof LlmFewShotSystem;
            RowResult row = score(system, style, language, items, outputs, classifier, seconds, what);
            LlmHallucinationJudge.Report judged = null;
            Map<String, String> signatures = row.signatures();
            if (judge != null) {
                List<LlmHallucinationJudge.Verdict> verdicts = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    BenchItem item = items.get(i);
                    verdicts.add(judge.judge(item.original().id(), outputs.get(i),
                            Material.ofArticle(item.original().text()), item.plan()));
                    progress.update("judge", style, system.key(), i + 1, items.size());
                }
                judged = LlmHallucinationJudge.summarise(verdicts);
                signatures = new LinkedHashMap<>(signatures);
                signatures.put("hallucinationJudge", judge.signature() + "|n:" + judged.judged());
            }
            boolean anyJudged = judged != null && judged.judged() > 0;
            rows.add(new RowResult(row.key(), row.label(), true, "", row.n(), row.rougeL(), row.bleu4(),
                    row.styleScore(), row.factualHallucination(), row.faithfulnessHallucination(),
                    row.contentRecall(), row.seconds(),
                    signatures, row.system(), failures.size(), failures.stream().limit(5).toList(),
                    truncations, prompted ? system.shots() : null,
                    prompted && !items.isEmpty() ? (double) shots / items.size() : null,
                    anyJudged ? judged.factualHallucinationRate() : null,
                    anyJudged ? judged.faithfulnessHallucinationRate() : null, judged == null ? 0 : judged.unjudged(),
                    system.shipped()));
        }
        List<StyleTable.Example> outputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Map<String, String> out = new LinkedHashMap<>();
            for (var e : outputsBySystem.entrySet()) {
                out.put(e.getKey(), e.getValue().get(i));
            }
            BenchItem item = items.get(i);
            outputs.add(new StyleTable.Example(item.original().id(), item.original().text(),
                    item.plan().neutralDraft(), out));
        }
        List<StyleTable.Example> examples = outputs.subList(0, Math.min(EXAMPLES_PER_STYLE, outputs.size()));
        return new StyleTable(style, language, testSplit.size(), trainSize, items.size(), rows, examples, outputs);
    }

    /** One item's output, or (with an empty output) why the system could not render it. */
    private record Rendered(BenchSystem.Output output, String failure) {
    }

    /**
     * Every item's output, in item order. With a concurrency above 1, that many items are in flight at once, so the
     * engine's continuous batching decodes them together (several times the throughput of one at a time on a CPU);
     * each row samples with its own seed, but a batch rounds its matmuls differently from a single row, so runs are
     * exactly repeatable only at concurrency 1.
     */
    private List<Rendered> renderAll(BenchSystem system, String style, List<BenchItem> items) throws InterruptedException {
        Rendered[] out = new Rendered[items.size()];
        AtomicInteger done = new AtomicInteger();
        java.util.function.IntConsumer renderOne = i -> {
            BenchItem item = items.get(i);
            try {
                out[i] = new Rendered(system.render(style, item), null);
            } catch (Exception e) {
                // One text the system cannot render (e.g. a prompt past the model's context) must not end the
                // run: it counts as an empty output and is reported.
                out[i] = new Rendered(BenchSystem.Output.of(""), item.original().id() + ": " + e.getMessage());
            }
            synchronized (progress) {
                progress.update("generate", style, system.key(), done.incrementAndGet(), items.size());
            }
        };
        if (concurrency <= 1 || items.size() <= 1) {
            for (int i = 0; i < items.size(); i++) {
                renderOne.accept(i);
            }
            return List.of(out);
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bench-" + system.key());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                int index = i;
                pending.add(pool.submit(() -> renderOne.accept(index)));
            }
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("rendering failed outside a system", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(out);
    }

    /** Scores one system's outputs against the originals; package-visible for tests. */
    static RowResult score(BenchSystem system, String style, String language, List<BenchItem> items,
                           List<String> outputs, StyleClassifier classifier, double seconds, String what) {
        List<String> refs = items.stream().map(i -> i.original().text()).toList();
        Rouge rouge = new Rouge();
        ContentRecall contentRecall = new ContentRecall();
        double rougeSum = 0;
        double recallSum = 0;
        for (int i = 0; i < outputs.size(); i++) {
            rougeSum += rouge.rougeL(refs.get(i), outputs.get(i)).fmeasure();
            recallSum += contentRecall.recall(refs.get(i), outputs.get(i));
        }
        Double rougeL = outputs.isEmpty() ? null : 100.0 * rougeSum / outputs.size();
        Double recall = outputs.isEmpty() ? null : recallSum / outputs.size();
        Bleu bleu = new Bleu(BleuTokenizer.forLanguage(language));
        BleuScore b = bleu.corpus(outputs, refs);
        Double styleScore = null;
        if (classifier != null && !outputs.isEmpty()) {
            double s = 0;
            for (String o : outputs) {
                s += classifier.probability(o, style);
            }
            styleScore = 100.0 * s / outputs.size();
        }
        HallucinationReport h = new HallucinationChecker().check(
                items.stream().map(i -> i.original().id()).toList(), outputs,
                items.stream().map(i -> Material.ofArticle(i.original().text())).toList(),
                items.stream().map(BenchItem::plan).toList());
        Map<String, String> sig = new LinkedHashMap<>();
        sig.put("rougeL", rouge.signature("rougeL"));
        sig.put("bleu4", b.signature());
        sig.put("styleScore", classifier == null ? "none" : classifier.description());
        sig.put("hallucination", HallucinationChecker.signature());
        sig.put("contentRecall", ContentRecall.signature());
        return new RowResult(system.key(), system.label(), true, "", outputs.size(), rougeL, b.score(), styleScore,
                h.factualRate(), h.faithfulnessHallucinationRate(), recall, seconds, sig, what, 0, null, 0, null, null, null, null, 0,
                system.shipped());
    }

    /** The mean over styles of each row that ran for every style. */
    static List<RowResult> overall(List<StyleTable> tables, List<BenchSystem> systems) {
        List<RowResult> out = new ArrayList<>();
        for (BenchSystem s : systems) {
            List<RowResult> rows = new ArrayList<>();
            String missing = null;
            for (StyleTable t : tables) {
                RowResult r = t.rows().stream().filter(x -> x.key().equals(s.key())).findFirst().orElseThrow();
                if (!r.available()) {
                    missing = t.style() + ": " + r.reason();
                    break;
                }
                rows.add(r);
            }
            if (missing != null) {
                out.add(RowResult.notAvailable(s.key(), s.label(), missing));
                continue;
            }
            out.add(new RowResult(s.key(), s.label(), true, "", rows.stream().mapToInt(RowResult::n).sum(),
                    mean(rows, RowResult::rougeL), mean(rows, RowResult::bleu4), mean(rows, RowResult::styleScore),
                    mean(rows, RowResult::factualHallucination), mean(rows, RowResult::faithfulnessHallucination),
                    mean(rows, RowResult::contentRecall), rows.stream().mapToDouble(RowResult::seconds).sum(), rows.get(0).signatures(),
                    "mean over " + rows.size() + " style(s)", rows.stream().mapToInt(RowResult::failures).sum(),
                    rows.stream().flatMap(r -> r.failureMessages().stream()).limit(5).toList(),
                    rows.stream().mapToInt(RowResult::truncations).sum(), sameShots(rows), mean(rows, RowResult::meanShots),
                    mean(rows, RowResult::factualHallucinationJudge), mean(rows, RowResult::faithfulnessHallucinationJudge),
                    rows.stream().mapToInt(RowResult::unjudged).sum(), s.shipped()));
        }
        return out;
    }

    /** The configured shots the styles' rows share (one setting a run), or null when a row has none. */
    private static Integer sameShots(List<RowResult> rows) {
        Integer first = rows.get(0).shots();
        return rows.stream().allMatch(r -> java.util.Objects.equals(r.shots(), first)) ? first : null;
    }

    private static Double mean(List<RowResult> rows, java.util.function.Function<RowResult, Double> f) {
        double s = 0;
        for (RowResult r : rows) {
            Double v = f.apply(r);
            if (v == null) {
                return null;
            }
            s += v;
        }
        return rows.isEmpty() ? null : s / rows.size();
    }
}
