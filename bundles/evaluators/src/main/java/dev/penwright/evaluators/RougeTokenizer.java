package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * rouge-score's default tokenizer ({@code rouge/tokenize.py}): lowercase, every run of characters other than
 * {@code [a-z0-9]} separates tokens; with a stemmer ({@code use_stemmer=True}), tokens longer than 3 characters are
 * Porter-stemmed as NLTK does ({@link PorterStemmer}).
 *
 * <p>One deliberate difference: a CJK character (Han, Hiragana, Katakana, Hangul) is a token of its own. rouge-score
 * drops every such character, so it scores any Chinese text 0 against anything. On text without CJK characters the
 * tokens are exactly rouge-score's, and signatures say {@code cjk:char} so that nobody mistakes one for the other.
 */
public final class RougeTokenizer {
    private RougeTokenizer() {
    }

    public static List<String> tokenize(String text) {
        return tokenize(text, null);
    }

    /** @param stemmer the stemmer, or null for none (rouge-score's default) */
    public static List<String> tokenize(String text, PorterStemmer stemmer) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
                word.append((char) cp);
                continue;
            }
            flush(word, tokens, stemmer);
            if (isCjk(cp)) {
                tokens.add(new String(Character.toChars(cp)));
            }
        }
        flush(word, tokens, stemmer);
        return tokens;
    }

    private static void flush(StringBuilder word, List<String> tokens, PorterStemmer stemmer) {
        if (word.isEmpty()) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        // rouge-score stems only tokens longer than 3 characters.
        if (stemmer != null && w.length() > 3) {
            w = stemmer.stem(w);
        }
        if (!w.isEmpty()) {
            tokens.add(w);
        }
    }

    /** Whether a code point is a CJK character (not CJK punctuation, which separates like any punctuation). */
    public static boolean isCjk(int cp) {
        Character.UnicodeScript script;
        try {
            script = Character.UnicodeScript.of(cp);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
    }
}
