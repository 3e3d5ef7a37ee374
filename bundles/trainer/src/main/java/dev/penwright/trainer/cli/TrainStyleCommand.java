package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.train.TrainingKind;
import dev.penwright.api.train.TrainingSpec;
import dev.penwright.trainer.jobs.TrainerService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train style}: a corpus in one voice → a style-pack jar (and, with --deploy, into the running server). */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=train style")
public final class TrainStyleCommand extends PicocliSubcommand {
    private final TrainerService trainer;
    private volatile ModelCatalog catalog;

    @Activate
    public TrainStyleCommand(@Reference TrainerService trainer) {
        this.trainer = trainer;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setCatalog(ModelCatalog c) {
        catalog = c;
    }

    void unsetCatalog(ModelCatalog c) {
        if (catalog == c) {
            catalog = null;
        }
    }

    @Override
    public String name() {
        return "train style";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out, PrintStream err) {
        return new Style(out, err);
    }

    @Command(name = "train style", mixinStandardHelpOptions = true,
            description = "Train a style pack from a corpus in one voice: S-SFT with LoRA on planner plans, optional "
                    + "self-improvement and C-DPO; writes <out>/<id>-<version>.jar.")
    final class Style implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--corpus", required = true, description = "Training JSONL (.gz too): a corpus (id, style, "
                + "title, text) or alpaca-style (instruction, input, output); see --format.")
        Path corpus;
        @Option(names = "--format", description = "corpus, alpaca or auto (default: alpaca when the first line has "
                + "instruction and output and no text). Alpaca: instruction and input are the prompt, output the text.")
        String format;
        @Option(names = "--prompt-template", description = "The pack's prompt template (default: <|plan|>{title}\\n"
                + "{draft}\\n<|text|>; placeholders {title} {summary} {facts} {draft} {language}; ends with <|text|>).")
        String promptTemplate;
        @Option(names = "--id", required = true, description = "Style id (lower-case letters, digits, . _ -).")
        String id;
        @Option(names = "--base", description = "Base model folder or catalog id (default: the first installed model).")
        String base;
        @Option(names = "--out", required = true, description = "Run folder: plans, checkpoints, loss.png, the jar.")
        Path outDir;
        @Option(names = "--self-improve", description = "Self-improvement rounds (default 0).")
        Integer selfImprove;
        @Option(names = "--candidates", description = "Samples per plan in a round (k, default 4).")
        Integer candidates;
        @Option(names = "--style-threshold", description = "Style score (0-100) a kept sample needs (default 50).")
        Double styleThreshold;
        @Option(names = "--dpo", description = "Run C-DPO after S-SFT.")
        boolean dpo;
        @Option(names = {"--preferences", "--preference"}, description = "Preference JSONL (prompt, chosen, rejected): "
                + "extra C-DPO pairs (implies --dpo).")
        Path preference;
        @Option(names = "--beta", description = "DPO beta (default 0.1).")
        Double beta;
        @Option(names = "--dpo-steps", description = "DPO optimiser steps (default 30; with --minutes, as many as C-DPO's share of "
                + "the time holds, at most 3 passes over its pairs).")
        Integer dpoSteps;
        @Option(names = "--rank", description = "LoRA rank (default 16).")
        Integer rank;
        @Option(names = "--alpha", description = "LoRA alpha (default 32).")
        Double alpha;
        @Option(names = "--dropout", description = "LoRA dropout (default 0.05).")
        Double dropout;
        @Option(names = "--target-modules", split = ",", description = "PEFT module names (default all: q_proj,…,down_proj).")
        List<String> targets;
        @Option(names = "--max-tokens", description = "Longest training sequence, plan + text (default 256).")
        Integer maxTokens;
        @Option(names = "--max-examples", description = "At most this many training texts (default all).")
        Integer maxExamples;
        @Option(names = "--planner", description = "Planner id (default: the pipeline's configured default "
                + "planner; extractive when no pipeline is running).")
        String planner;
        @Option(names = "--deploy", description = "Copy the jar atomically into the runtime's deploy folder when, on "
                + "the run's validation plans, it beats the base model decoded the same way and the deployed pack it "
                + "replaces (higher style score, ROUGE-L at most 1 lower, no more hallucinating outputs); the run "
                + "says why when it does not.")
        boolean deploy;
        @Option(names = "--force", description = "With --deploy: deploy even a pack that does not beat the base model "
                + "or the deployed pack.")
        boolean force;
        @Mixin
        TrainOptions loop = new TrainOptions();
        @Mixin
        JobOptions job = new JobOptions();

        Style(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(corpus)) {
                err.println("train style: --corpus " + corpus + ": no such file");
                return 2;
            }
            Path baseDir = resolveBase(base);
            if (baseDir == null) {
                err.println("train style: no base model: give --base DIR (a Hugging Face model folder) or a catalog id"
                        + (catalog == null ? "" : " (installed: " + catalog.models().stream().map(BaseModelInfo::id).toList() + ")"));
                return 2;
            }
            Map<String, String> o = loop.toMap();
            TrainOptions.put(o, "selfImprove", selfImprove);
            TrainOptions.put(o, "candidates", candidates);
            TrainOptions.put(o, "styleThreshold", styleThreshold);
            TrainOptions.put(o, "beta", beta);
            TrainOptions.put(o, "dpoSteps", dpoSteps);
            TrainOptions.put(o, "rank", rank);
            TrainOptions.put(o, "alpha", alpha);
            TrainOptions.put(o, "dropout", dropout);
            TrainOptions.put(o, "maxTokens", maxTokens);
            TrainOptions.put(o, "maxExamples", maxExamples);
            TrainOptions.put(o, "planner", planner);
            TrainOptions.put(o, "format", format);
            TrainOptions.put(o, "promptTemplate", promptTemplate);
            if (targets != null) {
                o.put("targets", String.join(",", targets));
            }
            if (dpo) {
                o.put("dpo", "true");
            }
            if (preference != null) {
                if (!Files.isRegularFile(preference)) {
                    err.println("train style: --preferences " + preference + ": no such file");
                    return 2;
                }
                o.put("preference", preference.toString());
            }
            if (deploy) {
                o.put("deploy", "true");
            }
            if (force) {
                if (!deploy) {
                    err.println("train style: --force only applies with --deploy");
                    return 2;
                }
                o.put("force", "true");
            }
            TrainingSpec spec = new TrainingSpec(TrainingKind.STYLE, id, corpus, baseDir, outDir, o);
            return job.run(trainer, spec, out, err);
        }

        private Path resolveBase(String given) {
            if (given != null && Files.isDirectory(Path.of(given))) {
                return Path.of(given);
            }
            ModelCatalog c = catalog;
            if (c == null) {
                return null;
            }
            Optional<BaseModelInfo> m = given == null ? c.models().stream().findFirst() : c.find(given);
            return m.map(BaseModelInfo::directory).orElse(null);
        }
    }
}
