package dev.penwright.engine.styler;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.penwright.api.style.Exemplar;

/**
 * The dash a style signs its texts with, read from its exemplars' signature lines ("    -- 《菜根谭》" signs with
 * "--"): a styled text that signs off takes that dash, not another one the model also knows ("—").
 */
final class SignOffDash {
    private static final Pattern SIGNATURE = Pattern.compile("^\\s*(--+(?![\\w-])|——|―+|—)\\s*\\S.*$");

    private SignOffDash() {
    }

    /** The dash most of the exemplars' signature lines (their last non-blank lines) open with; empty for none. */
    static String of(Collection<Exemplar> exemplars) {
        Map<String, Integer> counts = new HashMap<>();
        for (Exemplar e : exemplars) {
            String last = e.text() == null ? "" : e.text().strip().lines().reduce((a, b) -> b).orElse("");
            Matcher m = SIGNATURE.matcher(last);
            if (m.matches()) {
                counts.merge(m.group(1), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse("");
    }
}
