package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How much of a text's content another text keeps: the per cent of the original's content-word occurrences that
 * the output also holds, each output word matching at most as many original occurrences as it has (a clipped
 * bag-of-words recall, so repeating a word does not buy recall and word order does not matter).
 *
 * <p>Content words: the text is lower-cased (root locale); each CJK character (Han, Hiragana, Katakana, Hangul, as
 * {@link RougeTokenizer#isCjk}) is a word of its own; otherwise a word is a maximal run of Unicode letters and digits
 * (so "it's" is "it" and "s", "{bug}s" is "bug" and "s", "16GiB" one word); a word in {@link #FUNCTION_WORDS} (English
 * articles, pronouns, auxiliaries, prepositions, conjunctions; the signature gives their count) or a single Latin
 * letter is not content.
 * Punctuation, markup and layout count for nothing, which is the point: a neutral draft that drops only a text's form
 * keeps all of its content words. An original without content words is fully kept (100) by any output.
 */
public final class ContentRecall {
    /** Words that carry grammar, not content. Small and fixed, so that the definition is easy to state. */
    public static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "and", "or", "but", "nor", "if", "then",
            "than", "so", "as", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "about",
            "over", "under", "up", "down", "out", "off", "is", "are", "was", "were", "be", "been", "being", "am", "do",
            "does", "did", "has", "have", "had", "will", "would", "shall", "should", "can", "could", "may", "might",
            "must", "it", "its", "this", "that", "these", "those", "there", "here", "he", "she", "they", "we", "you",
            "i", "me", "him", "her", "them", "us", "my", "your", "his", "our", "their", "which", "who", "whom", "what",
            "not", "no");

    /** 0–100, see the class comment. */
    public double recall(String original, String output) {
        List<String> want = contentWords(original);
        if (want.isEmpty()) {
            return 100;
        }
        Map<String, Integer> have = new HashMap<>();
        for (String w : contentWords(output == null ? "" : output)) {
            have.merge(w, 1, Integer::sum);
        }
        int kept = 0;
        for (String w : want) {
            Integer left = have.get(w);
            if (left != null && left > 0) {
                kept++;
                have.put(w, left - 1);
            }
        }
        return 100.0 * kept / want.size();
    }

    /** The content words of a text, in reading order, as defined in the class comment. */
    public static List<String> contentWords(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (RougeTokenizer.isCjk(cp)) {
                flush(word, words);
                words.add(Character.toString(cp));
            } else if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, words);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.isEmpty()) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        boolean singleLatinLetter = w.length() == 1 && w.charAt(0) >= 'a' && w.charAt(0) <= 'z';
        if (!singleLatinLetter && !FUNCTION_WORDS.contains(w)) {
            words.add(w);
        }
    }

    /** How the figure was computed, in the manner of sacrebleu's signatures. */
    public static String signature() {
        return "contentRecall|words:unicode-letter-digit-runs|cjk:char|case:lower|function-words:en-"
                + FUNCTION_WORDS.size() + "|single-letters:dropped|match:clipped-bag|agg:mean|impl:penwright";
    }
}
