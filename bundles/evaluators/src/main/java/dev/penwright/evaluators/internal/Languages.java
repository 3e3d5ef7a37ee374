package dev.penwright.evaluators.internal;

import java.util.List;
import java.util.Locale;

import dev.penwright.evaluators.RougeTokenizer;

/** Picks the BLEU tokenizer language for a set of texts when the caller did not say. */
final class Languages {
    private Languages() {
    }

    /**
     * "zh" when the inputs' language tags say Chinese, or, with no tags, when CJK characters make up more than a
     * quarter of the references' non-space characters; "en" (sacrebleu's 13a) otherwise.
     */
    static String resolve(List<String> tags, List<String> texts) {
        for (String t : tags) {
            if (t != null && !t.isBlank()) {
                return t.toLowerCase(Locale.ROOT).startsWith("zh") ? "zh" : "en";
            }
        }
        return detect(texts);
    }

    static String detect(List<String> texts) {
        long cjk = 0;
        long other = 0;
        for (String text : texts) {
            if (text == null) {
                continue;
            }
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                if (RougeTokenizer.isCjk(cp)) {
                    cjk++;
                } else if (!Character.isWhitespace(cp)) {
                    other++;
                }
            }
        }
        return cjk * 4 > cjk + other && cjk > 0 ? "zh" : "en";
    }
}
