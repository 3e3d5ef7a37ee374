package dev.penwright.engine.styler;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleVocabulary;

/**
 * The dash a style signs its texts with, read from its exemplars' signature lines ("    -- 《菜根谭》" signs with "--";
 * {@link StyleVocabulary#signatureDash(String)}, the same lines {@link StyleVocabulary#signsOff} counts): a styled text
 * that signs off takes that dash, not another one the model also knows ("—").
 */
final class SignOffDash {
    private SignOffDash() {
    }

    /** The dash most of the exemplars' signature lines (their last non-blank lines) open with; empty for none. */
    static String of(Collection<Exemplar> exemplars) {
        Map<String, Integer> counts = new HashMap<>();
        for (Exemplar e : exemplars) {
            String dash = StyleVocabulary.signatureDash(e.text());
            if (!dash.isEmpty()) {
                counts.merge(dash, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse("");
    }
}
