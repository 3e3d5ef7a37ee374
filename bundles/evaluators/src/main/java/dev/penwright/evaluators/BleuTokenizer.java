package dev.penwright.evaluators;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The two sacrebleu tokenizers Penwright needs, reimplemented from sacrebleu 2.x's {@code tokenizer_13a.py},
 * {@code tokenizer_re.py} and {@code tokenizer_zh.py} so that token counts, and therefore BLEU, come out the same.
 */
public enum BleuTokenizer {
    /** mteval-v13a, sacrebleu's default. */
    THIRTEEN_A("13a"),
    /** sacrebleu's {@code zh}: every Chinese character is a token, the rest goes through the 13a regexes. */
    ZH("zh");

    // The language-dependent part of mteval-v13a, in sacrebleu's order. Java and Python's re agree on these classes
    // (ASCII ranges, negated classes matching newlines) and both substitute left to right without overlap.
    private static final Pattern PUNCTUATION = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private final String signature;

    BleuTokenizer(String signature) {
        this.signature = signature;
    }

    /** The {@code tok:} value of the signature. */
    public String signature() {
        return signature;
    }

    /** The tokenizer sacrebleu picks for a target language (BCP 47 tag; {@code zh*} means zh, else 13a). */
    public static BleuTokenizer forLanguage(String language) {
        return language != null && language.toLowerCase(java.util.Locale.ROOT).startsWith("zh") ? ZH : THIRTEEN_A;
    }

    /** The tokenized line, tokens separated by single spaces. */
    public String tokenize(String line) {
        return switch (this) {
            case THIRTEEN_A -> tokenize13a(line);
            case ZH -> tokenizeZh(line);
        };
    }

    /** The tokens of a line. */
    public List<String> tokens(String line) {
        return PythonText.split(tokenize(line));
    }

    private static String tokenize13a(String line) {
        // Language-independent part of mteval-v13a.
        String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (s.indexOf('&') >= 0) {
            s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        // sacrebleu pads with one space on each side before the regexes; it changes how a leading "." is split.
        return postTokenize(" " + s + " ");
    }

    private static String tokenizeZh(String line) {
        String stripped = PythonText.strip(line);
        StringBuilder spaced = new StringBuilder(stripped.length() * 2);
        stripped.codePoints().forEach(cp -> {
            if (isChineseChar(cp)) {
                spaced.append(' ').appendCodePoint(cp).append(' ');
            } else {
                spaced.appendCodePoint(cp);
            }
        });
        // Unlike 13a, zh applies neither the entity replacements nor the padding.
        return postTokenize(spaced.toString());
    }

    private static String postTokenize(String line) {
        String s = PUNCTUATION.matcher(line).replaceAll(" $1 ");
        s = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return String.join(" ", PythonText.split(s));
    }

    /**
     * sacrebleu's {@code _is_chinese_char}. Its table writes two ranges with five hex digits after {@code \\u}
     * ({@code '\\u20000'..'\\u2a6d6'} and {@code '\\u2f800'..'\\u2fa1d'}); Python reads {@code \\u} as exactly four
     * digits, so those bounds are two-character strings and, compared with one character, the ranges become
     * U+2001..U+2A6D and U+2F81..U+2FA1. That swallows general punctuation such as curly quotes, dashes and the
     * ellipsis, which therefore become separate tokens under {@code zh}. We reproduce the effective ranges, since
     * matching sacrebleu's numbers is the point.
     */
    static boolean isChineseChar(int cp) {
        return in(cp, 0x3400, 0x4DB5) || in(cp, 0x4E00, 0x9FA5) || in(cp, 0x9FA6, 0x9FBB) || in(cp, 0xF900, 0xFA2D)
                || in(cp, 0xFA30, 0xFA6A) || in(cp, 0xFA70, 0xFAD9)
                || in(cp, 0x2001, 0x2A6D) // the effective '\u20000'..'\u2a6d6'
                || in(cp, 0x2F81, 0x2FA1) // the effective '\u2f800'..'\u2fa1d'
                || in(cp, 0xFF00, 0xFFEF) || in(cp, 0x2E80, 0x2EFF) || in(cp, 0x3000, 0x303F)
                || in(cp, 0x31C0, 0x31EF) || in(cp, 0x2F00, 0x2FDF) || in(cp, 0x2FF0, 0x2FFF)
                || in(cp, 0x3100, 0x312F) || in(cp, 0x31A0, 0x31BF) || in(cp, 0xFE10, 0xFE1F)
                || in(cp, 0xFE30, 0xFE4F) || in(cp, 0x2600, 0x26FF) || in(cp, 0x2700, 0x27BF)
                || in(cp, 0x3200, 0x32FF) || in(cp, 0x3300, 0x33FF);
    }

    private static boolean in(int cp, int from, int to) {
        return cp >= from && cp <= to;
    }
}
