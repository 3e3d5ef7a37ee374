package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes one sentence's form and keeps its content, so that the plan says what the source says, not how.
 * <ul>
 * <li>Markup: cross-reference braces ({@code {bug}s} → "bugs"; any stray brace), emphasis markers.</li>
 * <li>Asides: a bracketed tag ({@code [from Greek …]}) or a parenthetical clause of three words or more becomes a
 * sentence of its own after the sentence it sat in; a short parenthetical (an abbreviation, a gloss, a number) stays
 * where it is, as it clarifies a word; an aside that is only an exclamation ("(shudder!)"), only a pronunciation
 * ("(pronounced …)"), a footnote mark ("[1]") or holds no letter or digit is dropped. CJK asides stay: they clarify
 * more than they decorate.</li>
 * <li>Tone: exclamations outside quotations become full stops, leading interjections go, as do dictionary
 * part-of-speech labels (leading, or ending a headword line: "ABASEMENT, n." → "ABASEMENT.") and a leading attribution dash ("-- Author《Work》" → "Author《Work》").</li>
 * <li>Typography: curly quotes become straight ones.</li>
 * </ul>
 * It never adds a word: the only characters it may add are a full stop closing a moved aside and a capital letter
 * starting one, so the plan holds nothing the source does not.
 */
final class Neutraliser {
    private static final Pattern CROSS_REFERENCE = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern QUOTATION = Pattern.compile(
            "\"[^\"]*\"|“[^“”]*”|‘[^‘’]*’(?!\\w)|「[^「」]*」|『[^『』]*』");
    private static final Pattern BRACKET_TAG = Pattern.compile("(?:\\s+|^)\\[([^\\[\\]]*)](?=[\\s,.;:!?]|$)");
    private static final Pattern ASIDE = Pattern.compile("(?:\\s+|^)\\(([^()]*)\\)(?=[\\s,.;:!?]|$)");
    private static final Pattern PRONUNCIATION_ASIDE = Pattern.compile("^(?:pronounced|pron\\.)\\s",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FOOTNOTE_MARK = Pattern.compile("^(?:\\d{1,3}|[a-z*†‡]|citation needed|sic)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern EMPHASIS = Pattern.compile("(?<![\\w*])[*_]([^*_\\s][^*_]*?)[*_](?![\\w*])");
    private static final Pattern EXCLAMATION = Pattern.compile(
            "(?:\\s*!+[?!]*|\\?!+)(?=\\s|$|[\"'”’)\\]」』])"); // not "#!/bin/sh", "!=" or "Yahoo!Mail"
    private static final Pattern CJK_EXCLAMATION = Pattern.compile("！+");
    private static final Pattern INTERJECTION = Pattern.compile(
            "^(?:Oh|Ah|Alas|Well|Hey|Wow|Indeed|Of course|Needless to say|Frankly|Honestly),\\s+",
            Pattern.CASE_INSENSITIVE);
    /** Dictionary part-of-speech labels, one or several ("n., v."), with what follows them up to the next word. */
    private static final String LABELS =
            "(?:(?:n|v|vt|vi|adj|adv|interj|excl|pl|suff|pref)\\.\\s*,?\\s*(?:and\\s+|or\\s+)?)+(?=\\S|$)";
    private static final Pattern PART_OF_SPEECH = Pattern.compile("^" + LABELS);
    // A dictionary's headword line: the headword (or its pronunciations) and its part of speech, "ABASEMENT, n.",
    // "/jig/, /gig/, n.": the headword is content, the label form.
    private static final String HEADWORD_PART = "[^\\s,;:.!?]+(?:\\s+[^\\s,;:.!?]+){0,2}";
    private static final Pattern HEADWORD_LABEL = Pattern.compile("^(" + HEADWORD_PART + "(?:,\\s*" + HEADWORD_PART
            + "){0,3}),\\s*" + LABELS);
    private static final Pattern ATTRIBUTION_DASH = Pattern.compile("^(?:--+(?![\\w-])|——|―+|—|–)\\s*");
    // An attribution signed after a sentence inside the same line or aside: "... see also bogon. —ESR".
    private static final Pattern INNER_ATTRIBUTION_DASH = Pattern.compile(
            "([.!?。！？][\"')\\]”’」』]*)\\s*(?:--+(?![\\w-])|——|―+|—)\\s*(?=\\S)");
    // A dictionary sense number opening the sentence: "1. v. To wobble", "2) n. ...", "(b) ...".
    private static final Pattern SENSE_NUMBER = Pattern.compile("^(?:\\d{1,2}[.)]|\\([a-z0-9]\\))\\s+(?=\\S)");
    private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile("\\s+([,.;:?])(?=\\s|$)");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}");
    private static final Pattern NEEDS_TONING = Pattern.compile("[()*_!！?]");
    private static final Pattern TERMINAL = Pattern.compile(".*[.!?。！？…][\"'”’」』)）\\]]*$");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    /**
     * The sentence without its form. Asides moved out of it follow it as sentences of their own, so the result may
     * hold more than one sentence.
     */
    String neutralise(String sentence) {
        String s = sentence.indexOf('{') >= 0 ? CROSS_REFERENCE.matcher(sentence).replaceAll("$1") : sentence;
        s = s.replace("{", "").replace("}", ""); // a brace whose partner was cut off by a line or a sentence
        List<String> moved = new ArrayList<>();
        if (s.indexOf('[') >= 0) {
            s = BRACKET_TAG.matcher(s).replaceAll(m -> {
                String inner = m.group(1).strip();
                if (!FOOTNOTE_MARK.matcher(inner).matches() && hasWord(inner)) {
                    moved.add(inner);
                }
                return " ";
            });
        }
        // Quotations are kept verbatim, exclamations and all: only the writer's own voice is toned down.
        StringBuilder out = new StringBuilder();
        Matcher quote = QUOTATION.matcher(s);
        int last = 0;
        while (quote.find()) {
            out.append(toneDown(s.substring(last, quote.start()), moved)).append(quote.group());
            last = quote.end();
        }
        out.append(toneDown(s.substring(last), moved));
        s = tidy(out.toString(), sentence);
        StringBuilder result = new StringBuilder(s);
        for (String aside : moved) {
            String a = tidy(toneDown(aside, new ArrayList<>()), aside);
            if (a.isEmpty() || !hasWord(a)) {
                continue;
            }
            a = a.substring(0, 1).toUpperCase(Locale.ROOT) + a.substring(1);
            if (!TERMINAL.matcher(a).matches()) {
                a = a.replaceAll("[,;:]+$", "") + ".";
            }
            if (!result.isEmpty() && !TERMINAL.matcher(result).matches()) {
                result.append('.');
            }
            result.append(result.isEmpty() ? "" : " ").append(a);
        }
        return straightQuotes(result.toString());
    }

    private static String tidy(String text, String original) {
        // A numbered section heading keeps its number (SentenceSplitter passes one through only as a text's heading).
        String s = SentenceSplitter.NUMBERED_HEADING.matcher(text.strip()).matches() ? text.strip()
                : SENSE_NUMBER.matcher(text.strip()).replaceFirst("");
        s = INTERJECTION.matcher(s).replaceFirst("");
        s = PART_OF_SPEECH.matcher(s).replaceFirst("");
        Matcher headword = HEADWORD_LABEL.matcher(s);
        if (headword.find()) {
            s = headword.group(1) + "." + (headword.end() < s.length() ? " " + s.substring(headword.end()) : "");
        }
        s = ATTRIBUTION_DASH.matcher(s).replaceFirst("");
        s = INNER_ATTRIBUTION_DASH.matcher(s).replaceAll("$1 ");
        s = SPACE_BEFORE_PUNCT.matcher(s).replaceAll("$1");
        s = SPACES.matcher(s).replaceAll(" ").strip();
        // A trailing "..., ..." or "etc..." is a list left open, not content.
        s = s.replaceAll("\\s*[,;:]?\\s*(?:\\.{2,}|…)$", ".").replaceAll("^[,;:\\s]+", "");
        String o = original.strip();
        if (!s.isEmpty() && !o.isEmpty() && Character.isLowerCase(s.codePointAt(0))
                && Character.isUpperCase(o.codePointAt(0))) {
            s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String toneDown(String text, List<String> moved) {
        if (!NEEDS_TONING.matcher(text).find()) {
            return text;
        }
        String s = ASIDE.matcher(text).replaceAll(m -> {
            String inner = m.group(1).strip();
            if (!hasWord(inner) || PRONUNCIATION_ASIDE.matcher(inner).find() || FOOTNOTE_MARK.matcher(inner).matches()
                    || (inner.endsWith("!") && words(inner) <= 2)) {
                return ""; // tone, a pronunciation or a mark: no content
            }
            if (words(inner) <= 2) {
                return Matcher.quoteReplacement(m.group()); // "(GUI)", "(1998)": a gloss on the word before
            }
            moved.add(inner);
            return "";
        });
        s = EMPHASIS.matcher(s).replaceAll("$1");
        s = EXCLAMATION.matcher(s).replaceAll(".");
        return CJK_EXCLAMATION.matcher(s).replaceAll("。");
    }

    /** Curly quotes as straight ones: typography is form. */
    static String straightQuotes(String s) {
        return s.replace('“', '"').replace('”', '"').replace('„', '"').replace('‘', '\'').replace('’', '\'')
                .replace('‚', '\'');
    }

    private static boolean hasWord(String s) {
        return WORD.matcher(s).find();
    }

    private static int words(String s) {
        return s.isBlank() ? 0 : s.strip().split("\\s+").length;
    }
}
