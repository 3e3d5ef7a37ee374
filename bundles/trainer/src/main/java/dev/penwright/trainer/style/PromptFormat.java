package dev.penwright.trainer.style;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;

/**
 * How a plan becomes the small model's prompt during training: the api's {@link PromptTemplate#DEFAULT}, the one the
 * styler renders at generation time, and which goes into style.json ({@code promptTemplate}). The text follows the
 * prompt and ends with {@link PromptTemplate#END}; these markers are special tokens of Penwright's own tokenizers
 * (BpeTrainer) and plain text for other base models, which works for either.
 */
public final class PromptFormat {
    public static final String TEMPLATE = PromptTemplate.DEFAULT.text();
    public static final String END = PromptTemplate.END;

    private PromptFormat() {
    }

    public static String render(ContentPlan plan) {
        return PromptTemplate.DEFAULT.render(plan);
    }

    /** With the draft replaced (shortened to fit the context). */
    public static String render(ContentPlan plan, String draft) {
        return PromptTemplate.DEFAULT.render(new ContentPlan(plan.title(), plan.summary(), plan.keyFacts(), draft,
                plan.language(), plan.plannerId(), plan.usage()));
    }
}
