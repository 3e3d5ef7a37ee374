package dev.penwright.api.style;

import java.util.List;
import java.util.stream.Collectors;

import dev.penwright.api.plan.ContentPlan;

/**
 * How a content plan becomes the small model's prompt. Training (plan of a text → the text) and generation render
 * plans with the same template, which is why it lives in the contract: a pack's {@code promptTemplate} is rendered
 * here, the same way everywhere.
 *
 * <p>Placeholders: {@code {title}}, {@code {summary}}, {@code {facts}} (one {@code - fact} a line), {@code {draft}},
 * {@code {language}}. The model's answer follows the prompt and ends with {@link #END}.
 *
 * @param text the template
 */
public record PromptTemplate(String text) {
    /** Opens the plan part of a prompt; a special token of Penwright's tokenizers. */
    public static final String PLAN = "<|plan|>";
    /** Opens the styled text. */
    public static final String TEXT = "<|text|>";
    /** Ends a text. */
    public static final String END = "<|endoftext|>";
    public static final PromptTemplate DEFAULT =
            new PromptTemplate(PLAN + "{title}\n{summary}\n{facts}\n{draft}\n" + TEXT);

    public PromptTemplate {
        if (text == null || text.isBlank()) {
            text = DEFAULT.text;
        }
    }

    /** The pack's template, or the default when it names none. */
    public static PromptTemplate of(StyleDescriptor style) {
        return style == null ? DEFAULT : new PromptTemplate(style.promptTemplate());
    }

    /**
     * Few-shot exemplars, then the plan: each shot as a whole training example (its plan rendered with this template,
     * its text, {@link #END}), so the prompt continues a run of plan → text pairs in the format the model was
     * trained on.
     */
    public String render(ContentPlan plan, List<Shot> shots) {
        StringBuilder sb = new StringBuilder();
        for (Shot shot : shots == null ? List.<Shot>of() : shots) {
            sb.append(shot.plan() == null ? TEXT : render(shot.plan())).append(shot.text()).append(END);
        }
        return sb.append(render(plan)).toString();
    }

    public String render(ContentPlan plan) {
        String facts = plan.keyFacts().stream().map(f -> "- " + f).collect(Collectors.joining("\n"));
        return text.replace("{title}", plan.title())
                .replace("{summary}", plan.summary())
                .replace("{facts}", facts)
                .replace("{draft}", plan.neutralDraft())
                .replace("{language}", plan.language());
    }
}
