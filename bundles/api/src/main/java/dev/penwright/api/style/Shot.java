package dev.penwright.api.style;

import dev.penwright.api.plan.ContentPlan;

/**
 * A few-shot exemplar put in the prompt before the plan to render: a text in the voice and, when known, the plan it
 * was written from. With a plan it is rendered exactly as a training example is (the template's plan part, the text,
 * {@link PromptTemplate#END}), so a model sees plan → text pairs in the one format; without one, only the text
 * follows the {@link PromptTemplate#TEXT} marker.
 *
 * @param plan the plan of {@code text}, or null when only the text is given
 * @param text a text in the target voice
 */
public record Shot(ContentPlan plan, String text) {
    public Shot {
        if (text == null) {
            throw new IllegalArgumentException("a shot needs a text");
        }
    }
}
