package dev.penwright.trainer.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;
import dev.penwright.engine.training.TrainingAccess;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.RunControl;

/**
 * The model a base run starts from: from scratch, a BPE tokenizer trained on the training texts and a randomly
 * initialised Llama-shaped decoder; with {@code --init}, an existing model folder (with a longer context when asked).
 */
final class StartingModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float EMBEDDING_STD = 0.02f;

    private StartingModel() {
    }

    /**
     * The folder to load: the init model (or its longer-context copy), or {@code out} with a tokenizer and random
     * weights written into it.
     */
    static Path prepare(BaseRecipe recipe, List<CorpusText> train, RunControl control) throws IOException {
        if (recipe.init() != null) {
            for (String f : List.of("config.json", "tokenizer.json")) {
                if (!Files.isRegularFile(recipe.init().resolve(f))) {
                    throw new IOException("--init " + recipe.init() + ": no " + f + " (a model folder written by"
                            + " train base or convert has config.json, model.safetensors and tokenizer.json)");
                }
            }
            return withContext(recipe.init(), recipe.maxPositions(), recipe.out());
        }
        scratch(recipe, train, recipe.out(), control);
        return recipe.out();
    }

    /** The init model's own report.json, or null when it has none (or the run starts from scratch). */
    static JsonNode initReport(BaseRecipe recipe) throws IOException {
        if (recipe.init() == null) {
            return null;
        }
        Path r = recipe.init().resolve("report.json");
        return Files.isRegularFile(r) ? JSON.readTree(r.toFile()) : null;
    }

    /** The stages before this one: the init model's own stages, or its report as one stage. */
    static List<JsonNode> priorStages(JsonNode initReport, Path init) {
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
    private static void scratch(BaseRecipe recipe, List<CorpusText> train, Path out, RunControl control)
            throws IOException {
        Path tokenizer = out.resolve("tokenizer.json");
        boolean reuse = recipe.resume() && Files.isRegularFile(tokenizer)
                && Files.isRegularFile(out.resolve("config.json"));
        if (reuse) {
            return;
        }
        control.note("tokenizer", "training a " + recipe.vocabSize() + "-token BPE tokenizer");
        List<String> texts = tokenizerSample(train, recipe.tokenizerTexts()).stream()
                .map(t -> t.title() + "\n\n" + t.text()).toList();
        int vocab = new BpeTrainer(recipe.vocabSize(), BpeTrainer.DEFAULT_SPECIALS, 2).trainAndWrite(texts, out);
        ModelConfig config = recipe.shape().config(vocab, Math.max(512, recipe.seqLen()), 0);
        RandomModels.write(out, config, recipe.loop().seed(), "F32", 1);
        // RandomModels draws the embedding with std 1, which through the tied output head gives logits of
        // size sqrt(d) and a first loss of ~100+ nats; GPT-2's 0.02 starts training near ln(vocab).
        try (LanguageModel fresh = LanguageModel.load(out)) {
            var embed = TrainingAccess.parameters(fresh).get("embed");
            try (var w = embed.stopGradient()) {
                w.muli(EMBEDDING_STD);
            }
            TrainingAccess.saveModel(fresh, out);
        }
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
                    Files.copy(f, extended.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        config.put("max_position_embeddings", maxPositions);
        JSON.writerWithDefaultPrettyPrinter().writeValue(extended.resolve("config.json").toFile(), config);
        return extended;
    }
}
