package dev.penwright.api.generate;

import java.util.List;

import dev.penwright.api.eval.Score;
import dev.penwright.api.plan.ContentPlan;

/**
 * The article and how it was made.
 *
 * @param text            the styled article
 * @param plan            the plan it was written from
 * @param scores          style, hallucination and, with a reference, ROUGE-L and BLEU-4
 * @param styleRef        {@code id@version} of the style pack used, or empty
 * @param modelId         the base model
 * @param generatedTokens tokens the small model produced
 * @param timings         where the time went
 * @param promptTokens    tokens in the small model's prompt (0 when unknown); since 1.1
 * @param finishReason    stop, length or eos, as the Styler reported it (empty when unknown); since 1.1
 */
public record GenerationResult(String text, ContentPlan plan, List<Score> scores, String styleRef, String modelId,
                               int generatedTokens, Timings timings, int promptTokens, String finishReason) {
    public GenerationResult {
        scores = scores == null ? List.of() : List.copyOf(scores);
        finishReason = finishReason == null ? "" : finishReason;
    }

    /** The 1.0 constructor, kept so that existing callers compile and link unchanged. */
    public GenerationResult(String text, ContentPlan plan, List<Score> scores, String styleRef, String modelId,
                            int generatedTokens, Timings timings) {
        this(text, plan, scores, styleRef, modelId, generatedTokens, timings, 0, "");
    }
}
