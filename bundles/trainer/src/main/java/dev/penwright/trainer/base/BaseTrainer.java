package dev.penwright.trainer.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDManager;
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
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.FullTask;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * Trains one of Penwright's own small models from scratch: a byte-level BPE tokenizer (the engine's BpeTrainer) on
 * the training texts, a randomly initialised Llama-shaped decoder (the engine's RandomModels), then every parameter
 * with the training loop, next-token loss on pieces of {@code seqLen} tokens. The output folder is a Hugging Face
 * model folder that the engine, the catalog and other tools load.
 */
public final class BaseTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String END = BpeTrainer.DEFAULT_SPECIALS.get(0);
    private static final float EMBEDDING_STD = 0.02f;

    public Path run(BaseRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        Consumer<JobProgress> sink = progress == null ? p -> { } : progress;
        Path out = recipe.out();
        Files.createDirectories(out);
        List<CorpusText> train = new ArrayList<>();
        List<CorpusText> val = new ArrayList<>();
        int badLines = 0;
        ArrayNode sources = JSON.createArrayNode();
        JsonlReader reader = new JsonlReader(recipe.onBadLine());
        for (Path corpus : recipe.corpora()) {
            Dataset<CorpusText> d = reader.corpus(corpus);
            List<CorpusText> records = d.records();
            if (recipe.maxTexts() > 0 && records.size() > recipe.maxTexts()) {
                records = records.subList(0, recipe.maxTexts());
            }
            train.addAll(Split.TRAIN.select(records, CorpusText::id));
            val.addAll(Split.VALIDATION.select(records, CorpusText::id).stream().limit(64).toList());
            badLines += d.badLines().size();
            ObjectNode s = sources.addObject();
            s.put("file", corpus.toAbsolutePath().toString());
            s.put("texts", records.size());
            s.put("badLines", d.badLines().size());
            s.put("license", records.isEmpty() ? "" : records.get(0).license());
        }
        Path tokenizer = out.resolve("tokenizer.json");
        boolean reuse = recipe.resume() && Files.isRegularFile(tokenizer) && Files.isRegularFile(out.resolve("config.json"));
        if (!reuse) {
            sink.accept(new JobProgress(jobId, JobState.RUNNING, "tokenizer", 0, 0, Double.NaN, 0, 0, -1,
                    "training a " + recipe.vocabSize() + "-token BPE tokenizer"));
            List<String> texts = train.stream().map(t -> t.title() + "\n\n" + t.text()).toList();
            if (recipe.tokenizerTexts() > 0 && texts.size() > recipe.tokenizerTexts()) {
                texts = texts.subList(0, recipe.tokenizerTexts());
            }
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
        ObjectNode report = JSON.createObjectNode();
        try (LanguageModel model = LanguageModel.load(out); NDManager manager = NDManager.newBaseManager()) {
            List<Example> trainEx = pieces(model, train, recipe.seqLen());
            List<Example> valEx = pieces(model, val, recipe.seqLen());
            TrainingResult r = new TrainingLoop(new FullTask(model, manager), recipe.loop(), trainEx, valEx, 0,
                    out.resolve("checkpoints"), jobId, "base", sink, cancelled).run(recipe.resume());
            new FullTask(model, manager).saveResult(out);
            LossChart.write(out.resolve("loss.png"), "Base " + recipe.shape(), List.of(new LossChart.Curve("base",
                    r.history())));
            ModelConfig c = model.config();
            double flopsPerToken = 6.0 * c.parameterCount();
            report.put("created", Instant.now().toString());
            report.put("shape", recipe.shape().toString());
            report.put("parameters", c.parameterCount());
            report.put("vocab", c.vocabSize());
            report.put("seqLen", recipe.seqLen());
            report.set("corpora", sources);
            report.put("badLines", badLines);
            report.put("split", "sha256(id)[0:8] mod 100: 0-79 train, 80-89 validation, 90-99 test");
            report.put("trainTexts", train.size());
            report.put("trainSequences", trainEx.size());
            report.put("steps", r.steps());
            report.put("stopReason", r.stopReason());
            report.put("firstLoss", r.firstLoss());
            report.put("lastLoss", r.lastLoss());
            if (!Double.isNaN(r.bestValLoss())) {
                report.put("bestValidationLoss", r.bestValLoss());
            }
            ArrayNode evals = report.putArray("validation");
            r.history().evals.forEach(e -> evals.addArray().add(e.step()).add(e.loss()));
            report.put("tokensPerSecond", r.tokensPerSecond());
            report.put("approxFlopsPerSecond", r.tokensPerSecond() * flopsPerToken);
            report.put("flopsNote", "6 x parameters per token (forward + backward, attention not counted)");
            report.put("seconds", r.seconds());
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("report.json").toFile(), report);
            sink.accept(new JobProgress(jobId, JobState.SUCCEEDED, "base", r.steps(), r.steps(), r.lastLoss(), 0,
                    r.tokensPerSecond(), 0, "wrote the model to " + out));
        }
        return out;
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
