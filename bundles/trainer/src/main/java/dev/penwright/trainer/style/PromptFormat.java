package dev.penwright.trainer.style;

import java.util.stream.Collectors;

import dev.penwright.api.plan.ContentPlan;

/**
 * How a plan becomes the small model's prompt: the template goes into style.json ({@code promptTemplate}) so the
 * styler renders plans exactly as training did. The text follows {@code <|text|>} and ends with
 * {@code <|endoftext|>}; these are special tokens of Penwright's own tokenizers (BpeTrainer) and plain text for
 * other base models, which is fine for either.
 */
public final class PromptFormat {
    public static final String TEMPLATE = "<|plan|>{title}\n{summary}\n{facts}\n{draft}<|text|>";
    public static final String END = "<|endoftext|>";

    private PromptFormat() {
    }

    public static String render(ContentPlan plan) {
        return render(plan, plan.neutralDraft());
    }

    /** With the draft replaced (shortened to fit the context). */
    public static String render(ContentPlan plan, String draft) {
        String facts = plan.keyFacts().stream().map(f -> "- " + f).collect(Collectors.joining("\n"));
        return TEMPLATE.replace("{title}", plan.title()).replace("{summary}", plan.summary())
                .replace("{facts}", facts).replace("{draft}", draft);
    }
}
