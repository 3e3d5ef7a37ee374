package dev.penwright.api.eval;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * One output to score, with whatever it can be scored against. Fields an evaluator does not need may be null.
 *
 * @param id         the item's id, echoed in reports
 * @param hypothesis the generated text
 * @param reference  the reference text (ROUGE-L, BLEU-4), or null
 * @param plan       the plan it was written from (faithfulness), or null
 * @param material   the user's material (factual hallucination), or null
 * @param styleId    the target style (style consistency), or null
 * @param language   BCP 47 tag (tokenisation), or empty to detect
 */
public record EvaluationInput(String id, String hypothesis, String reference, ContentPlan plan, Material material,
                              String styleId, String language) {
    public EvaluationInput {
        id = id == null ? "" : id;
        hypothesis = hypothesis == null ? "" : hypothesis;
        language = language == null ? "" : language;
    }
}
