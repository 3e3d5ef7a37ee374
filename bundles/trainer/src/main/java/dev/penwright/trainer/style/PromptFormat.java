package dev.penwright.trainer.style;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;

/**
 * How a plan becomes the small model's prompt during training: a {@link PromptTemplate} (the recipe's, by default
 * {@link #COMPACT}), the one the styler renders at generation time, as it goes into style.json ({@code promptTemplate}). The text follows the
 * prompt and ends with {@link PromptTemplate#END}; these markers are special tokens of Penwright's own tokenizers
 * (BpeTrainer) and plain text for other base models, which works for either.
 */
public final class PromptFormat {
    public static final String TEMPLATE = PromptTemplate.DEFAULT.text();
    /**
     * The trainer's default template: the title and the neutral draft only. The draft carries the whole content; the
     * summary and key facts restate it (the extractive planner's are sentences of the draft itself), and with them
     * the prompt held a text three times over, which the training cut to 128 (the draft lost) while the
     * styler rendered it whole or cut differently: the model learnt from prompts unlike the ones it is given.
     */
    public static final String COMPACT = PromptTemplate.PLAN + "{title}\n{draft}\n" + PromptTemplate.TEXT;
    public static final String END = PromptTemplate.END;

    private PromptFormat() {
    }

    public static String render(ContentPlan plan) {
        return PromptTemplate.DEFAULT.render(plan);
    }

    /** With the draft replaced (shortened to fit the context). */
    public static String render(PromptTemplate template, ContentPlan plan, String draft) {
        return template.render(new ContentPlan(plan.title(), plan.summary(), plan.keyFacts(), draft,
                plan.language(), plan.plannerId(), plan.usage()));
    }
}
