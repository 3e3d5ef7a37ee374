package dev.penwright.api.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What to train.
 *
 * @param kind      base model or style pack
 * @param id        the style or model id to produce
 * @param corpus    a JSONL corpus (id, style, title, text), alpaca or preference file
 * @param baseModel the base model folder (style training), or null
 * @param outputDir where checkpoints and the result go
 * @param options   recipe settings by name (for example {@code rank}, {@code minutes}, {@code selfImprove}, {@code dpo})
 */
public record TrainingSpec(TrainingKind kind, String id, Path corpus, Path baseModel, Path outputDir,
                           Map<String, String> options) {
    public TrainingSpec {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
