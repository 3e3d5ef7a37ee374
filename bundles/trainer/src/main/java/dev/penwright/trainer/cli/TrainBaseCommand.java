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

/** {@code train base}: a tokenizer and a small model from scratch, every parameter trained. */
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
            description = "Train a BPE tokenizer and a Llama-shaped model from scratch on corpora; writes a Hugging "
                    + "Face model folder (config.json, model.safetensors, tokenizer.json) with report.json and loss.png.")
    final class Base implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--corpus", required = true, split = ",", description = "Corpus JSONL file(s) (.gz too), comma-separated or repeated.")
        List<Path> corpora;
        @Option(names = "--shape", defaultValue = "d512-l8", description = "dWIDTH-lLAYERS[-hHEADS][-kvKV] (default ${DEFAULT-VALUE}).")
        String shape;
        @Option(names = "--vocab", description = "BPE vocabulary size (default 8000).")
        Integer vocab;
        @Option(names = "--seq-len", description = "Tokens per training sequence (default 256).")
        Integer seqLen;
        @Option(names = "--max-texts", description = "At most this many texts a corpus (default all).")
        Integer maxTexts;
        @Option(names = "--tokenizer-texts", description = "Texts the BPE trainer reads (default 20000).")
        Integer tokenizerTexts;
        @Option(names = "--out", required = true, description = "The model folder to write.")
        Path outDir;
        @Option(names = "--background", description = "Queue as a background job (see jobs / pen:jobs) and return.")
        boolean background;
        @Option(names = "--json", description = "Progress and result as JSON lines.")
        boolean json;
        @Mixin
        TrainOptions loop = new TrainOptions();

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
            Map<String, String> o = loop.toMap();
            o.put("shape", dev.penwright.trainer.base.Shape.parse(shape).toString());
            TrainOptions.put(o, "vocab", vocab);
            TrainOptions.put(o, "seqLen", seqLen);
            TrainOptions.put(o, "maxTexts", maxTexts);
            TrainOptions.put(o, "tokenizerTexts", tokenizerTexts);
            if (corpora.size() > 1) {
                o.put("corpora", String.join(",", corpora.subList(1, corpora.size()).stream().map(Path::toString).toList()));
            }
            TrainingSpec spec = new TrainingSpec(TrainingKind.BASE, outDir.getFileName().toString(), corpora.get(0),
                    null, outDir, o);
            return Foreground.run(trainer, spec, background, json, out, err);
        }
    }
}
