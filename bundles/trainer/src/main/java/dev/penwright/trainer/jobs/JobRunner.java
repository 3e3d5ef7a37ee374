package dev.penwright.trainer.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.TrainingKind;
import dev.penwright.api.train.TrainingSpec;
import dev.penwright.engine.LoraConfig;
import dev.penwright.trainer.base.BaseRecipe;
import dev.penwright.trainer.base.BaseTrainer;
import dev.penwright.trainer.base.Shape;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.style.PromptFormat;
import dev.penwright.trainer.style.StyleRecipe;
import dev.penwright.trainer.style.StyleRun;
import dev.penwright.trainer.style.StyleTrainer;

/**
 * Runs a {@link TrainingSpec} on the calling thread: the recipe comes from the spec's options (names as the command
 * line's long options, for example {@code steps}, {@code minutes}, {@code rank}, {@code selfImprove}, {@code dpo}).
 * Shared by the foreground commands and the background {@link TrainerService}.
 */
public final class JobRunner {
    /** Option names a spec may carry; anything else is a mistake worth an error. */
    static final List<String> OPTIONS = List.of("steps", "minutes", "lr", "warmup", "accumulation", "batchTokens",
            "batchRows", "evalEvery", "patience", "checkpointEvery", "seed", "rank", "alpha", "dropout", "targets",
            "maxTokens", "maxExamples", "selfImprove", "candidates", "styleThreshold", "dpo", "beta", "dpoSteps",
            "resume", "deploy", "onBadLine", "shape", "vocab", "seqLen", "maxTexts", "tokenizerTexts", "corpora",
            "planner", "preference", "format", "init", "planMix", "balance", "valTexts", "maxPositions",
            "promptTemplate", "force");

    private JobRunner() {
    }

    /** Refuses a spec whose options name one this runner does not know, naming them all. */
    public static void checkOptions(TrainingSpec spec) {
        List<String> unknown = spec.options().keySet().stream().filter(k -> !OPTIONS.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown training option" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown.stream().map(k -> "'" + k + "'").toList()) + " (known: "
                    + String.join(", ", OPTIONS) + ")");
        }
    }

    /** @return the pack jar (style) or the model folder (base) */
    public static Path run(TrainingSpec spec, String jobId, Planner planner, Path deployDir,
                           Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        checkOptions(spec);
        Map<String, String> o = spec.options();
        boolean base = spec.kind() == TrainingKind.BASE;
        int steps = integer(o, "steps", 0);
        double minutes = number(o, "minutes", 0);
        if (steps == 0 && minutes == 0) {
            steps = base ? 1000 : 200;
        }
        LoopConfig loop = new LoopConfig(steps, minutes, number(o, "lr", base ? 1e-3 : 2e-3),
                integer(o, "warmup", base ? 50 : 10), 0.1, base ? 0.1 : 0.0, 1.0, integer(o, "accumulation", 1),
                // A style run on a time budget takes small steps: a LoRA learns per optimiser step, and on a slow
                // or shared CPU 2048-token steps left a six-minute run a dozen of them (512: four times as many).
                integer(o, "batchTokens", base ? 4096 : minutes > 0 ? 512 : 2048), integer(o, "batchRows", base ? 16 : 8),
                integer(o, "evalEvery", 50), integer(o, "patience", 5), integer(o, "checkpointEvery", 100),
                integer(o, "seed", 42));
        JsonlReader.OnBadLine onBad = JsonlReader.OnBadLine.valueOf(o.getOrDefault("onBadLine", "skip")
                .toUpperCase(java.util.Locale.ROOT));
        boolean resume = bool(o, "resume");
        if (base) {
            List<Path> corpora = new java.util.ArrayList<>();
            corpora.add(spec.corpus());
            if (o.containsKey("corpora")) {
                Arrays.stream(o.get("corpora").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .map(Path::of).forEach(corpora::add);
            }
            Path init = o.containsKey("init") ? Path.of(o.get("init")) : null;
            if (init != null && o.containsKey("shape")) {
                throw new IllegalArgumentException("--shape and --init: a continued model keeps the init model's shape");
            }
            if (init != null && o.containsKey("vocab")) {
                throw new IllegalArgumentException("--vocab and --init: a continued model keeps the init model's"
                        + " tokenizer");
            }
            BaseRecipe recipe = new BaseRecipe(corpora, spec.outputDir(),
                    init != null ? null : Shape.parse(o.getOrDefault("shape", "d512-l8")),
                    integer(o, "vocab", 8000), integer(o, "seqLen", 256), integer(o, "maxTexts", 0),
                    integer(o, "tokenizerTexts", 20000), loop, resume, onBad, init, number(o, "planMix", 0),
                    bool(o, "balance"), integer(o, "valTexts", BaseRecipe.DEFAULT_VAL_TEXTS),
                    promptTemplates(o.getOrDefault("promptTemplate", "both")), integer(o, "maxPositions", 0));
            return new BaseTrainer(planner).run(recipe, jobId, progress, cancelled);
        }
        if (spec.baseModel() == null) {
            throw new IllegalArgumentException("style training needs a base model folder");
        }
        if (planner == null) {
            throw new IllegalStateException("no planner is available for the style-imitation plans");
        }
        List<String> targets = o.containsKey("targets")
                ? Arrays.stream(o.get("targets").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
                : LoraConfig.MODULES;
        for (String t : targets) {
            if (!LoraConfig.MODULES.contains(t)) {
                throw new IllegalArgumentException("target module '" + t + "' is not one of " + LoraConfig.MODULES);
            }
        }
        Path deploy = bool(o, "deploy") ? deployDir : null;
        if (bool(o, "deploy") && deployDir == null) {
            throw new IllegalStateException("--deploy: no deploy folder is configured (framework property penwright.deploy)");
        }
        StyleRecipe recipe = new StyleRecipe(spec.corpus(), spec.id(), spec.baseModel(), spec.outputDir(),
                integer(o, "rank", 16), number(o, "alpha", 32), number(o, "dropout", 0.05), targets, loop,
                integer(o, "maxTokens", 256), integer(o, "maxExamples", 0), integer(o, "selfImprove", 0),
                integer(o, "candidates", 4), number(o, "styleThreshold", 50),
                // A preference file is only used by C-DPO: giving one asks for it.
                bool(o, "dpo") || o.containsKey("preference"), number(o, "beta", 0.1),
                // 0: 30 steps, or with a time budget as many as C-DPO's share holds (Budget.dpoSteps).
                integer(o, "dpoSteps", 0), resume, deploy, onBad,
                o.containsKey("preference") ? Path.of(o.get("preference")) : null, format(o.get("format")),
                o.get("promptTemplate"), bool(o, "force"));
        StyleRun run = new StyleTrainer(planner).run(recipe, jobId, progress, cancelled);
        return run.jar();
    }

    /**
     * The prompt templates of a plan-mix run: {@code default} (the api's, which the styler renders for a request
     * without a pack), {@code compact} (S-SFT's default, which packs carry in style.json), {@code both} (taken in
     * turn, so the base model knows either), or a template's text.
     */
    static List<String> promptTemplates(String name) {
        return switch (name.strip()) {
            case "default" -> List.of(PromptTemplate.DEFAULT.text());
            case "compact" -> List.of(PromptFormat.COMPACT);
            case "both" -> List.of(PromptTemplate.DEFAULT.text(), PromptFormat.COMPACT);
            default -> List.of(name.replace("\\n", "\n"));
        };
    }

    private static StyleRecipe.DataFormat format(String v) {
        if (v == null || v.isBlank()) {
            return StyleRecipe.DataFormat.AUTO;
        }
        try {
            return StyleRecipe.DataFormat.valueOf(v.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option format must be auto, corpus or alpaca, got '" + v + "'");
        }
    }

    private static int integer(Map<String, String> o, String k, int d) {
        try {
            return o.containsKey(k) ? Integer.parseInt(o.get(k).strip()) : d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + k + " must be an integer, got '" + o.get(k) + "'");
        }
    }

    private static double number(Map<String, String> o, String k, double d) {
        try {
            return o.containsKey(k) ? Double.parseDouble(o.get(k).strip()) : d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + k + " must be a number, got '" + o.get(k) + "'");
        }
    }

    private static boolean bool(Map<String, String> o, String k) {
        String v = o.get(k);
        if (v == null) {
            return false;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("option " + k + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }
}
