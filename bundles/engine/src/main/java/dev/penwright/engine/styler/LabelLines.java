package dev.penwright.engine.styler;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A style's labels on lines of their own ({@link dev.penwright.api.style.StyleVocabulary#labelLines()}: a manual's
 * "提示", "注意") in its copy source: a neutral draft runs such a label into its text as a sentence ("…的内容。提示。档案库…"),
 * and a copying styler then writes "提示。" inside a paragraph, where the style sets "提示" between blank lines.
 */
final class LabelLines {
    private static final String SENTENCE_END = "[。.!?！？](?:[\"'”’」』)）])?";

    private LabelLines() {
    }

    /**
     * {@code draft} with each sentence that is only one of {@code labels} (and its full stop) set as a paragraph of
     * its own, without the stop. A label inside a sentence ("请注意。" is not "注意。") is left alone.
     */
    static String copySource(String draft, List<String> labels) {
        String out = draft;
        for (String label : labels.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            Pattern sentence = Pattern.compile("(^|(?<=" + SENTENCE_END + "))\\s*" + Pattern.quote(label)
                    + "[。.]\\s*");
            Matcher m = sentence.matcher(out);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(b, Matcher.quoteReplacement("\n\n" + label + "\n\n"));
            }
            m.appendTail(b);
            out = b.toString();
        }
        return out.strip().replaceAll("\n{3,}", "\n\n");
    }
}
