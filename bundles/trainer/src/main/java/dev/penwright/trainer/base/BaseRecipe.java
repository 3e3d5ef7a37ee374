package dev.penwright.trainer.base;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.api.style.PromptTemplate;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.loop.LoopConfig;

/**
 * A base-training run: from scratch (a tokenizer and a random model) or, with {@code init}, a further stage that
 * continues every parameter of an existing model folder.
 *
 * @param corpora        corpus JSONL files (id, style, title, text)
 * @param out            the model folder to write (config.json, model.safetensors, tokenizer.json) with its
 *                       checkpoints/, report.json and loss.png
 * @param shape          the model's shape; null with {@code init} (the shape is the init model's)
 * @param vocabSize      BPE vocabulary size (ignored with {@code init}: the init model's tokenizer is kept)
 * @param seqLen         tokens per training sequence (texts are cut into pieces of this length; a plan→text
 *                       sequence is cut to it as S-SFT cuts to its max tokens)
 * @param maxTexts       at most this many texts per corpus (0: all)
 * @param tokenizerTexts texts the BPE trainer reads (0: all training texts)
 * @param init           a model folder to continue from (config, tokenizer, weights), or null to start from scratch
 * @param planMix        the fraction (0..1) of training sequences that are plan→text sequences
 * @param balance        sample so that each corpus gives about the same number of training sequences
 * @param valTexts       validation texts a corpus for the per-corpus figures (and the loop's validation)
 * @param promptTemplates the prompt templates of the plan→text sequences, taken in turn (one or more)
 * @param maxPositions   with {@code init}: raise the continued model's max_position_embeddings to this (0 keeps
 *                       it). RoPE has no learned positions, so a longer context is a config change plus training
 *                       on sequences that use it (--seq-len up to this).
 */
public record BaseRecipe(List<Path> corpora, Path out, Shape shape, int vocabSize, int seqLen, int maxTexts,
                         int tokenizerTexts, LoopConfig loop, boolean resume, JsonlReader.OnBadLine onBadLine,
                         Path init, double planMix, boolean balance, int valTexts, List<String> promptTemplates,
                         int maxPositions) {
    /** The loop validated on this many texts a corpus before per-corpus figures existed; kept as the default. */
    public static final int DEFAULT_VAL_TEXTS = 64;

    public BaseRecipe {
        corpora = List.copyOf(corpora);
        promptTemplates = promptTemplates == null || promptTemplates.isEmpty()
                ? List.of(PromptTemplate.DEFAULT.text()) : List.copyOf(promptTemplates);
        for (String t : promptTemplates) {
            if (!t.endsWith(PromptTemplate.TEXT)) {
                throw new IllegalArgumentException("a prompt template must end with " + PromptTemplate.TEXT
                        + " (the text follows it): " + t);
            }
        }
        if (corpora.isEmpty()) {
            throw new IllegalArgumentException("give at least one corpus");
        }
        if (seqLen < 8) {
            throw new IllegalArgumentException("sequence length must be at least 8");
        }
        if (shape == null && init == null) {
            throw new IllegalArgumentException("give a shape, or a model to continue from (--init)");
        }
        if (!(planMix >= 0 && planMix <= 1)) {
            throw new IllegalArgumentException("plan mix must be a fraction from 0 to 1, got " + planMix);
        }
        if (maxPositions < 0) {
            throw new IllegalArgumentException("max positions must be positive, got " + maxPositions);
        }
        if (maxPositions > 0 && init == null) {
            throw new IllegalArgumentException("--max-positions extends a continued model (--init); a model from"
                    + " scratch gets max(512, --seq-len) positions");
        }
        if (valTexts < 1) {
            throw new IllegalArgumentException("validation texts a corpus must be at least 1, got " + valTexts);
        }
        if (init != null && out.toAbsolutePath().normalize().equals(init.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out must differ from --init: the init model and its report stay"
                    + " as they are");
        }
    }

    /** A run that keeps the model's positions (a continued model keeps its init model's). */
    public BaseRecipe(List<Path> corpora, Path out, Shape shape, int vocabSize, int seqLen, int maxTexts,
                      int tokenizerTexts, LoopConfig loop, boolean resume, JsonlReader.OnBadLine onBadLine,
                      Path init, double planMix, boolean balance, int valTexts, List<String> promptTemplates) {
        this(corpora, out, shape, vocabSize, seqLen, maxTexts, tokenizerTexts, loop, resume, onBadLine, init, planMix,
                balance, valTexts, promptTemplates, 0);
    }

    /** A from-scratch run on raw text only, as before stages existed. */
    public BaseRecipe(List<Path> corpora, Path out, Shape shape, int vocabSize, int seqLen, int maxTexts,
                      int tokenizerTexts, LoopConfig loop, boolean resume, JsonlReader.OnBadLine onBadLine) {
        this(corpora, out, shape, vocabSize, seqLen, maxTexts, tokenizerTexts, loop, resume, onBadLine, null, 0,
                false, DEFAULT_VAL_TEXTS, null, 0);
    }
}
