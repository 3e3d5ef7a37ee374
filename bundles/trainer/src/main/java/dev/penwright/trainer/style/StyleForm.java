package dev.penwright.trainer.style;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.FormOpeners;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.trainer.data.CorpusText;

/**
 * A style's form, found by comparing its training texts with their neutral drafts: the form words the drafts leave
 * out ({@link StyleVocabulary#formWords(java.util.Collection, java.util.Collection)}), which of them its first lines
 * put before which word ({@link FormOpeners}), and the labels it sets on lines of their own
 * ({@link StyleVocabulary#labelLines(java.util.Collection)}). Texts without a plan are left out.
 */
public final class StyleForm {
    private StyleForm() {
    }

    /** {@code vocabulary} with the form words and first-line counts of {@code texts}. */
    public static StyleVocabulary of(StyleVocabulary vocabulary, List<CorpusText> texts,
                                     Map<String, ContentPlan> plans) {
        List<CorpusText> planned = texts.stream().filter(t -> plans.containsKey(t.id())).toList();
        List<String> originals = planned.stream().map(CorpusText::text).toList();
        List<String> drafts = planned.stream()
                .map(t -> Objects.requireNonNullElse(plans.get(t.id()).neutralDraft(), "")).toList();
        List<String> formWords = StyleVocabulary.formWords(originals, drafts);
        return vocabulary.withFormWords(formWords).withFormOpeners(FormOpeners.of(originals, drafts, formWords))
                .withLabelLines(StyleVocabulary.labelLines(originals));
    }
}
