package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * rouge-score's default tokenizer ({@code rouge/tokenize.py}) with its default {@code use_stemmer=False}: lowercase,
 * every run of characters other than {@code [a-z0-9]} separates tokens. (Porter stemming is not offered: NLTK's
 * stemmer, which rouge-score uses, adds its own extensions to Porter's rules, and a near-miss would break the
 * promise of matching rouge-score.)
 *
 * <p>One deliberate difference: a CJK character (Han, Hiragana, Katakana, Hangul) is a token of its own. rouge-score
 * drops every such character, so it scores any Chinese text 0 against anything. On text without CJK characters the
 * tokens are exactly rouge-score's, and signatures say {@code cjk:char} so that nobody mistakes one for the other.
 */
public final class RougeTokenizer {
    private RougeTokenizer() {
    }

    public static List<String> tokenize(String text) {
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
            flush(word, tokens);
            if (isCjk(cp)) {
                tokens.add(new String(Character.toChars(cp)));
            }
        }
        flush(word, tokens);
        return tokens;
    }

    private static void flush(StringBuilder word, List<String> tokens) {
        if (!word.isEmpty()) {
            tokens.add(word.toString());
            word.setLength(0);
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
