package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.train.TrainingKind;
import dev.penwright.api.train.TrainingSpec;
import dev.penwright.trainer.jobs.TrainerService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train base}: a tokenizer and a small model from scratch, or (--init) a further stage of an existing model;
 * every parameter trained, on raw text and, with --plan-mix, on plan→text sequences in the styler's prompt format.
 */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=train base")
public final class TrainBaseCommand extends PicocliSubcommand {
    private final TrainerService trainer;

    @Activate
    public TrainBaseCommand(@Reference TrainerService trainer) {
        this.trainer = trainer;
    }

    @Override
    public String name() {
        return "train base";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out, PrintStream err) {
        return new Base(out, err);
    }

    @Command(name = "train base", mixinStandardHelpOptions = true,
            description = {"Train a BPE tokenizer and a Llama-shaped model from scratch on corpora, or continue an"
                    + " existing model (--init); writes a Hugging Face model folder (config.json, model.safetensors,"
                    + " tokenizer.json) with report.json (per-corpus validation loss and perplexity) and loss.png.",
                    "Two stages, as the embedded default is made: raw text from scratch, then --init with --plan-mix"
                    + " so the model knows the styler's plan→text prompt format before style packs are trained on it."})
    final class Base implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--corpus", required = true, split = ",", description = "Corpus JSONL file(s) (.gz too), comma-separated or repeated.")
        List<Path> corpora;
        @Option(names = "--shape", description = "dWIDTH-lLAYERS[-hHEADS][-kvKV] (default d512-l8; with --init the init model's).")
        String shape;
        @Option(names = "--init", description = "Continue from this model folder (its config, tokenizer and weights)"
                + " instead of starting from scratch; its report.json becomes the first of the new report's stages.")
        Path init;
        @Option(names = "--plan-mix", description = "Fraction 0..1 of training sequences that are plan→text sequences"
                + " (the planner's plan of a training text in the styler's prompt format, loss on the text only), as"
                + " S-SFT makes them (default 0: raw text only).")
        Double planMix;
        @Option(names = "--balance", description = "Sample so that each corpus gives about as many training sequences"
                + " as the others (small corpora repeat, large ones are subsampled).")
        boolean balance;
        @Option(names = "--val-texts", description = "Validation texts a corpus for the loop's validation and the"
                + " per-corpus figures, and at most as many raw-text pieces (default 64).")
        Integer valTexts;
        @Option(names = "--prompt-template", description = "Prompt template of the plan→text sequences: default"
                + " (the api's, rendered for a request without a pack), compact (S-SFT's, carried by packs), both (in"
                + " turn; the default), or a template's text ending with <|text|> (\\n for a line break).")
        String promptTemplate;
        @Option(names = "--planner", description = "Planner id for --plan-mix (default: the pipeline's configured "
                + "default planner; extractive when no pipeline is running).")
        String planner;
        @Option(names = "--vocab", description = "BPE vocabulary size (default 8000).")
        Integer vocab;
        @Option(names = "--seq-len", description = "Tokens per training sequence (default 256).")
        Integer seqLen;
        @Option(names = "--max-positions", description = "With --init: raise the model's context"
                + " (max_position_embeddings) to this many positions, then train on sequences up to --seq-len that use"
                + " them (RoPE has no learned positions; default: keep the init model's).")
        Integer maxPositions;
        @Option(names = "--max-texts", description = "At most this many texts a corpus (default all).")
        Integer maxTexts;
        @Option(names = "--tokenizer-texts", description = "Texts the BPE trainer reads (default 20000).")
        Integer tokenizerTexts;
        @Option(names = "--out", required = true, description = "The model folder to write.")
        Path outDir;
        @Mixin
        TrainOptions loop = new TrainOptions();
        @Mixin
        JobOptions job = new JobOptions();

        Base(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            for (Path c : corpora) {
                if (!Files.isRegularFile(c)) {
                    err.println("train base: --corpus " + c + ": no such file");
                    return 2;
                }
            }
            if (init != null && !Files.isDirectory(init)) {
                err.println("train base: --init " + init + ": no such folder");
                return 2;
            }
            if (planMix != null && !(planMix >= 0 && planMix <= 1)) {
                err.println("train base: --plan-mix must be a fraction from 0 to 1, got " + planMix);
                return 2;
            }
            Map<String, String> o = loop.toMap();
            if (shape != null) {
                o.put("shape", dev.penwright.trainer.base.Shape.parse(shape).toString());
            }
            TrainOptions.put(o, "init", init == null ? null : init.toAbsolutePath());
            TrainOptions.put(o, "planMix", planMix);
            if (balance) {
                o.put("balance", "true");
            }
            TrainOptions.put(o, "valTexts", valTexts);
            TrainOptions.put(o, "planner", planner);
            TrainOptions.put(o, "promptTemplate", promptTemplate);
            TrainOptions.put(o, "vocab", vocab);
            TrainOptions.put(o, "seqLen", seqLen);
            TrainOptions.put(o, "maxTexts", maxTexts);
            TrainOptions.put(o, "maxPositions", maxPositions);
            TrainOptions.put(o, "tokenizerTexts", tokenizerTexts);
            if (corpora.size() > 1) {
                o.put("corpora", String.join(",", corpora.subList(1, corpora.size()).stream().map(Path::toString).toList()));
            }
            TrainingSpec spec = new TrainingSpec(TrainingKind.BASE, outDir.getFileName().toString(), corpora.get(0),
                    null, outDir, o);
            return job.run(trainer, spec, out, err);
        }
    }
}
