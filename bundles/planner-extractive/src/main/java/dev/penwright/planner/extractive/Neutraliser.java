package dev.penwright.planner.extractive;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tones down a sentence's stylistic flourishes so that the plan says what the source says, not how: Jargon-File
 * cross-reference braces, bracketed etymology tags, parenthetical asides between words (unless they hold a number;
 * CJK asides stay: they clarify more than they decorate, and dropping one would glue its neighbours), emphasis
 * markers, exclamations, leading interjections and dictionary part-of-speech labels. Removes only; it never adds
 * words, so the plan holds nothing the source does not.
 */
final class Neutraliser {
    private static final Pattern CROSS_REFERENCE = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern QUOTATION = Pattern.compile(
            "\"[^\"]*\"|“[^“”]*”|‘[^‘’]*’(?!\\w)|「[^「」]*」|『[^『』]*』");
    private static final Pattern BRACKET_TAG = Pattern.compile("(?:\\s+|^)\\[[^\\[\\]]*](?=[\\s,.;:]|$)");
    private static final Pattern ASIDE = Pattern.compile("(?:\\s+|^)\\(([^()]*)\\)(?=[\\s,.;:!?]|$)");
    private static final Pattern EMPHASIS = Pattern.compile("(?<![\\w*])[*_]([^*_\\s][^*_]*?)[*_](?![\\w*])");
    private static final Pattern EXCLAMATION = Pattern.compile("\\s*[!]+[?!]*|\\?!+");
    private static final Pattern CJK_EXCLAMATION = Pattern.compile("！+");
    private static final Pattern INTERJECTION = Pattern.compile(
            "^(?:Oh|Ah|Alas|Well|Hey|Wow|Indeed|Of course|Needless to say|Frankly|Honestly),\\s+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PART_OF_SPEECH = Pattern.compile(
            "^(?:(?:n|v|vt|vi|adj|adv|interj|excl|pl|suff|pref)\\.\\s*,?\\s*(?:and\\s+|or\\s+)?)+(?=\\S)");
    private static final Pattern ATTRIBUTION_DASH = Pattern.compile("^(?:--|——|—)\\s*");
    private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile("\\s+([,.;:?])(?=\\s|$)");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}");
    private static final Pattern NEEDS_TONING = Pattern.compile("[()*_!！?]");
    private static final Pattern DIGIT = Pattern.compile("\\d");

    String neutralise(String sentence) {
        String s = sentence.indexOf('{') >= 0 ? CROSS_REFERENCE.matcher(sentence).replaceAll("$1") : sentence;
        if (s.indexOf('[') >= 0) {
            s = BRACKET_TAG.matcher(s).replaceAll(""); // editorial tags, quotations inside them included
        }
        // Quotations are kept verbatim, exclamations and all: only the writer's own voice is toned down.
        StringBuilder out = new StringBuilder();
        Matcher quote = QUOTATION.matcher(s);
        int last = 0;
        while (quote.find()) {
            out.append(toneDown(s.substring(last, quote.start()))).append(quote.group());
            last = quote.end();
        }
        out.append(toneDown(s.substring(last)));
        s = INTERJECTION.matcher(out.toString().strip()).replaceFirst("");
        s = PART_OF_SPEECH.matcher(s).replaceFirst("");
        s = ATTRIBUTION_DASH.matcher(s).replaceFirst("");
        s = SPACE_BEFORE_PUNCT.matcher(s).replaceAll("$1");
        s = SPACES.matcher(s).replaceAll(" ").strip();
        s = s.replaceAll("\\.{2,}$", ".").replaceAll("^[,;:\\s]+", "");
        if (!s.isEmpty() && Character.isLowerCase(s.codePointAt(0)) && Character.isUpperCase(sentence.strip()
                .codePointAt(0))) {
            s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String toneDown(String text) {
        if (!NEEDS_TONING.matcher(text).find()) {
            return text;
        }
        String s = ASIDE.matcher(text).replaceAll(m -> DIGIT.matcher(m.group(1)).find() ? Matcher.quoteReplacement(m.group()) : "");
        s = EMPHASIS.matcher(s).replaceAll("$1");
        s = EXCLAMATION.matcher(s).replaceAll(".");
        return CJK_EXCLAMATION.matcher(s).replaceAll("。");
    }
}
