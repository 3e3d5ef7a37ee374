package dev.penwright.trainer.style;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.trainer.loop.Checkpoints;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.LossChart;

/**
 * Writes one stage's pack: {@code out/stages/<stage>/style/} and {@code out/stages/<stage>/<id>-<version>.jar}, the
 * adapter as it is now and a report.json with exactly the phases run so far and the validation scores of this
 * adapter beside the base model's.
 */
final class StageWriter {
    /** The stage folders and the stage names under them. */
    static final String SFT = "s-sft";
    static final String SELF_IMPROVE = "self-improve";
    static final String DPO = "c-dpo";
    private static final int EXEMPLARS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StyleRunContext run;
    private final String version;
    private final ValidationScorer scorer;
    private final String license;
    private final String source;
    private final String styleName;
    private final String language;
    /** The base model's validation scores, decoded as the pack decodes: the same for every stage. */
    private StyleReports.Validation baseScores;
    /** The last written stage's validation scores: what --deploy judges. */
    private StyleReports.StageScores lastScores;

    StageWriter(StyleRunContext run, String version) {
        this.run = run;
        this.version = version;
        this.scorer = new ValidationScorer(run);
        List<CorpusText> records = run.data.data().records();
        this.license = majority(records.stream().map(CorpusText::license).toList(), "unknown");
        this.source = majority(records.stream().map(CorpusText::source).toList(), "");
        this.styleName = majority(records.stream().map(CorpusText::style).toList(), run.recipe.id());
        this.language = majority(run.data.plans().values().stream().map(ContentPlan::language).toList(), "en");
    }

    String version() {
        return version;
    }

    /** The validation scorer every stage uses, on the validation plans the budget affords. */
    ValidationScorer scorer() {
        return scorer;
    }

    /**
     * The base model's validation scores, before any training (the first stage needs them): with a time budget their
     * time is what each stage's scoring will cost, reserved from the training phases' shares, and a probe first
     * decides how many outputs every scoring decodes ({@link ValidationScorer#plan}).
     */
    void scoreBase() {
        Budget.Share share = run.budget.begin("baseline");
        run.control.note("baseline", "scoring the base model's validation outputs (what each stage's scoring will"
                + " cost)");
        scorer.plan(run.budget, run.template, defaults(), run.candidates.vocabulary());
        baseScores = scorer.score(null, run.template, defaults(), run.candidates.vocabulary());
        share.end();
    }

    StyleReports.StageScores lastScores() {
        return lastScores;
    }

    /** The pack's decoding options (style.json's defaults). */
    GenerationOptions defaults() {
        return PackDefaults.of(run.model);
    }

    /** Writes the stage's folder and jar; returns the jar. */
    Path write(String stage, StyleReports.Phases phases) throws IOException {
        StyleRecipe recipe = run.recipe;
        Budget.Share share = run.budget.begin("stage-" + stage);
        run.control.note("pack-" + stage, "scoring validation outputs and writing the " + stage + " pack");
        Path stageDir = recipe.out().resolve("stages").resolve(stage);
        Path styleDir = stageDir.resolve("style");
        Checkpoints.deleteTree(stageDir);
        Files.createDirectories(styleDir);
        run.adapter.save(styleDir, PackDefaults.ADAPTER_DTYPE);
        recordDropout(styleDir.resolve("adapter_config.json"), recipe.dropout());
        writeExemplars(styleDir.resolve("exemplars.jsonl"));
        // The fact guard's vocabulary: over all training texts, not just the few exemplars the pack ships.
        Files.write(styleDir.resolve(StylePackFormat.VOCABULARY), run.candidates.vocabulary().words(),
                StandardCharsets.UTF_8);
        Files.write(styleDir.resolve(StylePackFormat.FORM_WORDS), run.candidates.vocabulary().formWords(),
                StandardCharsets.UTF_8);
        Files.write(styleDir.resolve(StylePackFormat.FORM_OPENERS), run.candidates.vocabulary().formOpeners().lines(),
                StandardCharsets.UTF_8);
        Files.write(styleDir.resolve(StylePackFormat.LABEL_LINES), run.candidates.vocabulary().labelLines(),
                StandardCharsets.UTF_8);
        JSON.writerWithDefaultPrettyPrinter().writeValue(styleDir.resolve("style.json").toFile(), styleJson(stage));
        LossChart.write(styleDir.resolve("loss.png"), "Style " + recipe.id() + " " + version + " (" + stage + ")",
                run.curves);
        StyleReports.StageScores scores = scores();
        lastScores = scores;
        share.end();
        StyleReports.StageReport report = report(stage, phases, scores, run.budget.report());
        JSON.writerWithDefaultPrettyPrinter().writeValue(styleDir.resolve("report.json").toFile(), report);
        Path jar = stageDir.resolve(recipe.id() + "-" + version + ".jar");
        StylePackJar.write(jar, recipe.id(), version, styleDir);
        return jar;
    }

    /** This adapter's validation scores beside the base model's. */
    private StyleReports.StageScores scores() {
        if (baseScores == null) {
            // The base model decoded exactly as the pack decodes (its template, its defaults, copy-aware decoding
            // on), no adapter: the difference is what the adapter adds, and what --deploy asks of it.
            baseScores = scorer.score(null, run.template, defaults(), run.candidates.vocabulary());
        }
        String note = "the base model with the pack's prompt template and decoding options (copy-aware decoding"
                + " included), no adapter";
        if (!run.budget.scoresStage()) {
            return new StyleReports.StageScores(0, null, null, baseScores.scores(), note,
                    run.budget.scoresNothing() ? "the time budget holds no scoring of validation outputs"
                            : "the time budget holds scorings of the last stage only");
        }
        StyleReports.Validation mine = scorer.score(run.adapter, run.template, defaults(),
                run.candidates.vocabulary());
        return new StyleReports.StageScores(mine.items(), mine.rougeSignature(), mine.scores(), baseScores.scores(),
                note, null);
    }

    private StyleReports.StageReport report(String stage, StyleReports.Phases phases, StyleReports.StageScores scores,
                                            Budget.Report budget) {
        StyleRecipe recipe = run.recipe;
        TrainingData data = run.data.data();
        // The file name: the report travels with the pack and is served over HTTP, the trainer's folders do not.
        StyleReports.DataFigures dataFigures = new StyleReports.DataFigures(recipe.corpus().getFileName().toString(),
                data.format(), license, source, data.records().size(), data.badLines().size(),
                data.badLines().stream().limit(50).map(Object::toString).toList(),
                "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99 test", run.data.train().size(),
                run.data.val().size(), run.data.planFailures());
        StyleReports.LoraFigures lora = new StyleReports.LoraFigures(recipe.rank(), recipe.alpha(), recipe.dropout(),
                "applied to each adapted module's input h, lora_B(lora_A(dropout(h))), as PEFT does",
                recipe.targets());
        return new StyleReports.StageReport(phases.sft(), phases.selfImprovement(), phases.dpo(), stage, scores,
                recipe.id(), version, Instant.now().toString(), run.base.id(), run.base.fingerprint(),
                run.data.plannerId(), run.template.text(), dataFigures, lora, budget);
    }

    private StyleReports.StyleJson styleJson(String stage) {
        StyleRecipe recipe = run.recipe;
        String trained = switch (stage) {
            case SFT -> "S-SFT";
            case SELF_IMPROVE -> "S-SFT and " + recipe.selfImprove() + " self-improvement round(s)";
            default -> "S-SFT" + (recipe.selfImprove() > 0 ? ", " + recipe.selfImprove()
                    + " self-improvement round(s)" : "") + " and C-DPO";
        };
        return new StyleReports.StyleJson(recipe.id(), styleName, language, "The voice of "
                + recipe.corpus().getFileName() + " (style '" + styleName + "'), trained by Penwright's trainer: "
                + trained, run.base.id(), run.base.fingerprint(), run.template.text(), PackDefaults.json(defaults()),
                license, recipe.corpus().getFileName() + (source.isEmpty() ? "" : " (source " + source + ")") + ", "
                + run.data.data().records().size() + " texts, " + run.data.train().size() + " used for training");
    }

    /** PEFT's adapter_config.json as the engine writes it, with the dropout the adapter was trained with. */
    private static void recordDropout(Path adapterConfig, double dropout) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(adapterConfig.toFile());
        c.put("lora_dropout", dropout);
        JSON.writerWithDefaultPrettyPrinter().writeValue(adapterConfig.toFile(), c);
    }

    private void writeExemplars(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (CorpusText t : run.data.train().stream().limit(EXEMPLARS).toList()) {
                w.write(JSON.writeValueAsString(new StyleReports.Exemplar(t.id(), t.title(), t.text(),
                        t.license().isEmpty() ? license : t.license())));
                w.newLine();
            }
        }
    }

    private static String majority(List<String> values, String fallback) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        values.stream().filter(v -> v != null && !v.isBlank()).forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(fallback);
    }
}
