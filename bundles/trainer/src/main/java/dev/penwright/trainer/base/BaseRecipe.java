package dev.penwright.trainer.base;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.loop.LoopConfig;

/**
 * A base-training run.
 *
 * @param corpora       corpus JSONL files (id, style, title, text)
 * @param out           the model folder to write (config.json, model.safetensors, tokenizer.json) with its
 *                      checkpoints/, report.json and loss.png
 * @param shape         the model's shape
 * @param vocabSize     BPE vocabulary size
 * @param seqLen        tokens per training sequence (texts are cut into pieces of this length)
 * @param maxTexts      at most this many texts per corpus (0: all)
 * @param tokenizerTexts texts the BPE trainer reads (0: all training texts)
 */
public record BaseRecipe(List<Path> corpora, Path out, Shape shape, int vocabSize, int seqLen, int maxTexts,
                         int tokenizerTexts, LoopConfig loop, boolean resume, JsonlReader.OnBadLine onBadLine) {
    public BaseRecipe {
        corpora = List.copyOf(corpora);
        if (corpora.isEmpty()) {
            throw new IllegalArgumentException("give at least one corpus");
        }
        if (seqLen < 8) {
            throw new IllegalArgumentException("sequence length must be at least 8");
        }
    }
}
