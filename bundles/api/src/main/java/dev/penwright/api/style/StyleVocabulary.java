package dev.penwright.api.style;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A style's own vocabulary: the word units frequent across its training texts. The fact guard of copy-aware
 * decoding lets a text write a capitalised word, a number or a Han character only when the plan or this vocabulary
 * holds it, so a style keeps its own recurring names and numbers (a headword's "Jargon File", numbered senses, a
 * poet's name) while it cannot invent others. The trainer writes it into a pack ({@code style/vocabulary.txt}, one
 * word a line); a pack without one gets the same computation over its exemplars when it is loaded. The definition
 * of a word lives here because the trainer, the pack loader and the engine's guard must split text the same way.
 *
 * <p>Its form words are what the style writes and a neutral draft leaves out: units that its texts hold but the
 * neutraliser drops from them (a dictionary's part-of-speech marks "n." and "adj.", numbered senses, a list's
 * numbers). Copy-aware decoding leaves their odds to the model, as it does for punctuation and layout, and the guard
 * lets them through: writing them back is the style's work, not an invented fact. The trainer finds them by comparing
 * its training texts with their drafts ({@link #formWords(Collection, Collection)}) and writes them into a pack
 * ({@code style/form-words.txt}).
 *
 * <p>Which form word goes where a draft left one out is counted too ({@link FormOpeners}): a style's first-line mark
 * by the word that follows it. And whether the style signs its texts off ({@link #signsOff(Collection)}): a fortune's
 * "-- 李白", a columnist's "— Jane Doe" on a line of its own, which a neutral draft runs into its last sentence.
 *
 * @param words       the vocabulary, most frequent first (each a single {@linkplain #units(String) unit})
 * @param formWords   the style's form words, most frequent first (each a single unit); empty for none
 * @param formOpeners which form word the style writes on a first line, by the word after it; none for none
 * <p>And the labels it sets on lines of their own ({@link #labelLines(Collection)}): a manual's "提示" or "Note" between
 * paragraphs, which a neutral draft runs into its text as a sentence ("提示。").
 *
 * @param signsOff    whether most of the style's texts end with a signature line (an attribution dash opening it)
 * @param labelLines  the labels the style writes on lines of their own, most frequent first; empty for none
 */
public record StyleVocabulary(List<String> words, List<String> formWords, FormOpeners formOpeners,
                              boolean signsOff, List<String> labelLines) {
    /** A form word loses at least this share of its occurrences from the style's texts to their drafts... */
    public static final double MIN_FORM_DROP = 0.5;
    /** ...and at most this many of them, the most frequent. */
    public static final int MAX_FORM_WORDS = 200;
    /** A word must occur in at least this fraction of the texts to belong to the vocabulary... */
    public static final double MIN_TEXT_FRACTION = 0.015;
    /** ...and in at least this many texts, so that a small corpus does not take every word of one text. */
    public static final int MIN_TEXTS = 2;
    /** At most this many words, the most frequent. */
    public static final int MAX_WORDS = 3000;
    public static final StyleVocabulary EMPTY = new StyleVocabulary(List.of());
    /** A style signs off when more than this share of its texts end with a signature line. */
    public static final double SIGN_OFF_SHARE = 0.5;
    /** A label line stands alone in at least this fraction of the texts (and {@link #MIN_LABEL_TEXTS})... */
    public static final double MIN_LABEL_TEXT_FRACTION = 0.005;
    /** ...and in at least this many texts. */
    public static final int MIN_LABEL_TEXTS = 3;
    /** At most this many label lines, the most frequent... */
    public static final int MAX_LABEL_LINES = 50;
    /** ...each at most this many characters: a label, not a sentence. */
    public static final int MAX_LABEL_CHARS = 24;
    private static final java.util.regex.Pattern NOT_A_LABEL = java.util.regex.Pattern.compile(
            "^(?:[-*+•#$>|│┌└├\"“「]|\\d+[.)]).*|.*[.!?;:,。！？；：，、…）)\\]]$");
    private static final java.util.regex.Pattern SIGNATURE_LINE = java.util.regex.Pattern.compile(
            "^\\s*(--+(?![\\w-])|——|―+|—)\\s*\\S.*$");

    public StyleVocabulary {
        words = words == null ? List.of() : List.copyOf(words);
        formWords = formWords == null ? List.of() : List.copyOf(formWords);
        formOpeners = formOpeners == null ? FormOpeners.NONE : formOpeners;
        labelLines = labelLines == null ? List.of() : List.copyOf(labelLines);
        for (String w : words) {
            requireUnit(w, "vocabulary word");
        }
        for (String w : formWords) {
            requireUnit(w, "form word");
        }
    }

    /** A vocabulary without label lines. */
    public StyleVocabulary(List<String> words, List<String> formWords, FormOpeners formOpeners, boolean signsOff) {
        this(words, formWords, formOpeners, signsOff, List.of());
    }

    /** A vocabulary with form words but no counts of where they go. */
    public StyleVocabulary(List<String> words, List<String> formWords) {
        this(words, formWords, FormOpeners.NONE);
    }

    /** A vocabulary whose style does not sign off. */
    public StyleVocabulary(List<String> words, List<String> formWords, FormOpeners formOpeners) {
        this(words, formWords, formOpeners, false);
    }

    /** A vocabulary without form words. */
    public StyleVocabulary(List<String> words) {
        this(words, List.of());
    }

    /** This vocabulary with {@code formWords} as its form words. */
    public StyleVocabulary withFormWords(List<String> formWords) {
        return new StyleVocabulary(words, formWords, formOpeners, signsOff, labelLines);
    }

    /** This vocabulary with {@code openers} as its first-line form-word counts. */
    public StyleVocabulary withFormOpeners(FormOpeners openers) {
        return new StyleVocabulary(words, formWords, openers, signsOff, labelLines);
    }

    /** This vocabulary, its style signing off or not. */
    public StyleVocabulary withSignsOff(boolean signs) {
        return new StyleVocabulary(words, formWords, formOpeners, signs, labelLines);
    }

    /** This vocabulary with {@code labels} as the lines its style sets on their own. */
    public StyleVocabulary withLabelLines(List<String> labels) {
        return new StyleVocabulary(words, formWords, formOpeners, signsOff, labels);
    }

    /**
     * The labels a style sets on lines of their own: a line between blank lines (not a text's first or last line,
     * which are its title and signature), at most {@link #MAX_LABEL_CHARS} characters, that does not end a sentence or
     * a clause and is not a list item, a prompt, a table or a quotation, standing alone in at least max(3, 0.5 %) of the
     * texts; at most 50, the most frequent first. A manual's "提示", "注意", "警告"; a report's "Summary".
     */
    public static List<String> labelLines(Collection<String> texts) {
        Map<String, Integer> textsWith = new HashMap<>();
        for (String text : texts) {
            List<String> lines = text.strip().lines().toList();
            Set<String> labels = new HashSet<>();
            for (int i = 1; i < lines.size() - 1; i++) {
                String line = lines.get(i).replace('\u00A0', ' ').replace('\u3000', ' ').strip();
                if (!line.isEmpty() && line.length() <= MAX_LABEL_CHARS && lines.get(i - 1).isBlank()
                        && lines.get(i + 1).isBlank() && !NOT_A_LABEL.matcher(line).matches()
                        && !units(line).isEmpty()) {
                    labels.add(line);
                }
            }
            labels.forEach(l -> textsWith.merge(l, 1, Integer::sum));
        }
        int min = Math.max(MIN_LABEL_TEXTS, (int) Math.ceil(MIN_LABEL_TEXT_FRACTION * texts.size()));
        return textsWith.entrySet().stream()
                .filter(e -> e.getValue() >= min)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .limit(MAX_LABEL_LINES)
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * Whether more than {@link #SIGN_OFF_SHARE} of the texts end with a signature line: their last non-blank line
     * opens with an attribution dash ("--", "—", "——") and names someone.
     */
    public static boolean signsOff(Collection<String> texts) {
        if (texts.isEmpty()) {
            return false;
        }
        int signed = 0;
        for (String text : texts) {
            if (!signatureDash(text).isEmpty()) {
                signed++;
            }
        }
        return signed > SIGN_OFF_SHARE * texts.size();
    }

    /**
     * The attribution dash a text's signature line opens with ("--", "—", "——"), or empty when its last non-blank
     * line is no signature.
     */
    public static String signatureDash(String text) {
        String last = text == null ? "" : text.strip().lines().reduce((a, b) -> b).orElse("");
        java.util.regex.Matcher m = SIGNATURE_LINE.matcher(last);
        return m.matches() ? m.group(1) : "";
    }

    private static void requireUnit(String w, String what) {
        List<String> u = units(w);
        if (u.size() != 1 || !u.get(0).equals(w)) {
            throw new IllegalArgumentException(what + " '" + w + "' is not a single word (letters and digits, or one "
                    + "Han character)");
        }
    }

    /**
     * The form words of a style: units in at least max(2, 1.5 %) of its texts of which the drafts keep at most half
     * the occurrences, at most 200, the most frequent first. {@code drafts} are the texts' neutral drafts, in the
     * same order.
     */
    public static List<String> formWords(Collection<String> texts, Collection<String> drafts) {
        if (texts.size() != drafts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + drafts.size() + " drafts");
        }
        Map<String, Integer> textsWith = new HashMap<>();
        Map<String, Integer> inTexts = new HashMap<>();
        Map<String, Integer> inDrafts = new HashMap<>();
        for (String text : texts) {
            List<String> units = units(text);
            units.forEach(u -> inTexts.merge(u, 1, Integer::sum));
            new HashSet<>(units).forEach(u -> textsWith.merge(u, 1, Integer::sum));
        }
        for (String draft : drafts) {
            units(draft).forEach(u -> inDrafts.merge(u, 1, Integer::sum));
        }
        int min = Math.max(MIN_TEXTS, (int) Math.ceil(MIN_TEXT_FRACTION * texts.size()));
        return textsWith.entrySet().stream()
                .filter(e -> e.getValue() >= min)
                .filter(e -> inDrafts.getOrDefault(e.getKey(), 0) <= (1 - MIN_FORM_DROP) * inTexts.get(e.getKey()))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .limit(MAX_FORM_WORDS)
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * The vocabulary of a set of texts: word units in at least max(2, 1.5 %) of them, at most 3,000; and whether they
     * sign off.
     */
    public static StyleVocabulary of(Collection<String> texts) {
        Map<String, Integer> textsWith = new HashMap<>();
        for (String text : texts) {
            for (String unit : new HashSet<>(units(text))) {
                textsWith.merge(unit, 1, Integer::sum);
            }
        }
        int min = Math.max(MIN_TEXTS, (int) Math.ceil(MIN_TEXT_FRACTION * texts.size()));
        List<String> words = new ArrayList<>();
        textsWith.entrySet().stream()
                .filter(e -> e.getValue() >= min)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .limit(MAX_WORDS)
                .forEach(e -> words.add(e.getKey()));
        return new StyleVocabulary(words).withSignsOff(signsOff(texts));
    }

    public Set<String> asSet() {
        return new HashSet<>(words);
    }

    /**
     * The word units of a text, in order: maximal runs of letters, digits and combining marks, except that every Han
     * character is a unit of its own (Chinese writes no spaces, and a name is its characters).
     */
    public static List<String> units(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isHan(cp)) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                out.add(new String(Character.toChars(cp)));
            } else if (isWordChar(cp)) {
                word.appendCodePoint(cp);
            } else if (!word.isEmpty()) {
                out.add(word.toString());
                word.setLength(0);
            }
        }
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        return out;
    }

    /** A letter, digit or combining mark that is not Han: part of a word. */
    public static boolean isWordChar(int codePoint) {
        if (isHan(codePoint)) {
            return false;
        }
        int type = Character.getType(codePoint);
        return Character.isLetterOrDigit(codePoint) || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    public static boolean isHan(int codePoint) {
        return Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN;
    }

    /** Whether the fact guard watches a unit: it starts with a capital, holds a digit, or is a Han character. */
    public static boolean isGuarded(String unit) {
        if (unit.isEmpty()) {
            return false;
        }
        int first = unit.codePointAt(0);
        if (isHan(first) || Character.isUpperCase(first) || Character.isTitleCase(first)) {
            return true;
        }
        return unit.codePoints().anyMatch(Character::isDigit);
    }
}
