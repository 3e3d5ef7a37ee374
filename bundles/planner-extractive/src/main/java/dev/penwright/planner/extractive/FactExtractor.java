package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the spans a plan must keep verbatim: dates, numbers with their units (Arabic and Chinese numerals),
 * capitalised names and acronyms, quoted strings and titles, attributions. Later kinds never overlap earlier ones,
 * so "500 B.C." is one date and not a number plus a name.
 */
final class FactExtractor {
    private static final String MONTH = "(?:January|February|March|April|May|June|July|August|September|October"
            + "|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\\.?";
    private static final Pattern DATE = Pattern.compile(String.join("|",
            "\\b\\d{4}-\\d{2}-\\d{2}\\b",
            "\\b" + MONTH + "\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b",
            "\\b\\d{1,2}(?:st|nd|rd|th)?\\s+" + MONTH + ",?\\s+\\d{4}\\b",
            "\\b" + MONTH + "\\s+\\d{4}\\b",
            "\\b\\d{1,4}\\s?(?:B\\.C\\.(?:E\\.)?|A\\.D\\.|BCE\\b|BC\\b|AD\\b|CE\\b)",
            "\\d{1,4}\\s?年(?:\\s?\\d{1,2}\\s?月)?(?:\\s?\\d{1,2}\\s?[日号])?",
            "\\d{1,2}\\s?月\\s?\\d{1,2}\\s?[日号]",
            "[〇零一二三四五六七八九]{4}年",
            "(?:mid-|early\\s|late\\s)?\\b(?:1[0-9]|20)\\d{2}s?\\b(?![.,]\\d)"));
    private static final String UNITS = "%|percent|per cent|[kKMGTP]i?B\\b|[kMG]?bps\\b|bytes?\\b|bits?\\b|baud\\b"
            + "|[kMG]?Hz\\b|ms\\b|μs\\b|ns\\b|s\\b|secs?\\b|seconds?\\b|minutes?\\b|mins?\\b|hours?\\b|h\\b|days?\\b"
            + "|weeks?\\b|months?\\b|years?\\b|km\\b|cm\\b|mm\\b|m\\b|kg\\b|g\\b|lbs?\\b|miles?\\b|feet\\b|ft\\b"
            + "|inch(?:es)?\\b|dpi\\b|px\\b|fps\\b|x\\b|times\\b|D\\b|cores?\\b|threads?\\b|colou?rs?\\b"
            + "|users?\\b|players?\\b|languages?\\b|lines?\\b|characters?\\b|pages?\\b|files?\\b|people\\b"
            + "|million\\b|billion\\b|thousand\\b|hundred\\b|dollars?\\b|euros?\\b|°C|°F|℃";
    private static final Pattern NUMBER = Pattern.compile(String.join("|",
            "[$€£¥]\\s?\\d+(?:[.,]\\d+)*(?:\\s?(?:million|billion|k|M|B)\\b)?",
            "(?<![\\w.])\\d+(?:[.,]\\d+)*(?:-[A-Za-z]+\\b|\\s?(?:" + UNITS + "))",
            "(?<![\\w.])\\d+(?:[.,]\\d+)*\\s?[个位名次条年月日天岁元万亿％%项章节卷届度倍米克分秒]",
            "第\\s?\\d+\\s?[个位名次条章节卷届回]?",
            "第[零一二三四五六七八九十百千万两]+[个位名次条章节卷届回首]?",
            "[零一二三四五六七八九十百千万亿两〇]{2,}[个位名次条年月日天岁元寸尺丈里斤首章节卷届倍]",
            "[二三四五六七八九十百千万两][个位名次条年天岁元寸尺丈里斤首章节卷届倍]",
            "(?<![\\w.])\\d+(?:[.,]\\d+)+(?![\\w.])",
            "(?<![\\w.-])\\d{2,}(?![\\w.])"));
    private static final Pattern QUOTED = Pattern.compile(
            "\"[^\"\\n]{1,120}\"|“[^“”]{1,120}”|‘[^‘’]{1,120}’|「[^「」]{1,120}」|『[^『』]{1,120}』|《[^《》]{1,120}》");
    private static final Pattern NAME = Pattern.compile(
            "\\b[A-Z][\\p{L}\\p{N}'’+#]*(?:[.-][A-Z][\\p{L}\\p{N}]*)*(?:\\s+(?:(?:of|de|von|van|der|du|la)\\s+)?"
            + "[A-Z][\\p{L}\\p{N}'’+#]*(?:[.-][A-Z][\\p{L}\\p{N}]*)*)*"
            + "|\\b[a-z]+[A-Z][\\p{L}\\p{N}]*");
    private static final Pattern ATTRIBUTION = Pattern.compile("^\\s*(?:--|——|—)\\s*(\\S.*)$");
    private static final Set<String> NOT_NAMES = Set.of("The", "This", "That", "These", "Those", "It", "Its",
            "In", "On", "At", "A", "An", "There", "He", "She", "They", "We", "You", "I", "But", "However", "Also",
            "See", "For", "If", "When", "Some", "Most", "Many", "And", "Or", "As", "By", "With", "To", "From",
            "Used", "Use", "Compare", "Not", "No", "Yes", "All", "Any", "One", "Each", "Every", "After", "Before",
            "While", "Because", "So", "Since", "What", "Which", "Who", "How", "Why", "Where", "Then", "Thus",
            "Other", "More", "Such", "Note", "Sometimes", "Often", "Usually", "Common", "Commonly");

    /** The sentence's facts in reading order, none overlapping another. */
    List<Fact> extract(String sentence) {
        List<Fact> facts = new ArrayList<>();
        // Cheap character checks first: most sentences have no digits, capitals or quotes, and the patterns are
        // long alternations that would otherwise be tried at every position.
        boolean digits = false, capitals = false, quotes = false, cjkNumerals = false;
        for (int i = 0; i < sentence.length(); i++) {
            char c = sentence.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = true;
            } else if (c >= 'A' && c <= 'Z') {
                capitals = true;
            } else if ("\"“‘「『《".indexOf(c) >= 0) {
                quotes = true;
            } else if ("零一二三四五六七八九十百千万亿两〇第".indexOf(c) >= 0) {
                cjkNumerals = true;
            }
        }
        if (quotes) {
            addAll(facts, Fact.Kind.QUOTED, QUOTED.matcher(sentence), sentence);
        }
        Matcher attribution = ATTRIBUTION.matcher(sentence);
        if (attribution.find()) {
            add(facts, Fact.Kind.SOURCE, sentence, attribution.start(1), attribution.end(1));
        }
        if (digits || cjkNumerals) {
            addAll(facts, Fact.Kind.DATE, DATE.matcher(sentence), sentence);
        }
        if (digits || cjkNumerals) {
            addAll(facts, Fact.Kind.NUMBER, NUMBER.matcher(sentence), sentence);
        }
        if (capitals) {
            Matcher names = NAME.matcher(sentence);
            while (names.find()) {
                addName(facts, sentence, names.start(), names.end());
            }
        }
        facts.sort(Comparator.comparingInt(Fact::start));
        return facts;
    }

    /** Adds a capitalised run as a name, less leading function words ("The", "See"), unless nothing is left. */
    private static void addName(List<Fact> facts, String sentence, int start, int end) {
        boolean sentenceStart = sentence.substring(0, start).strip().replaceAll("[\"“‘(\\[{-]+$", "").isEmpty();
        int s = start;
        while (s < end) {
            int wordEnd = s;
            while (wordEnd < end && !Character.isWhitespace(sentence.charAt(wordEnd))) {
                wordEnd++;
            }
            if (!NOT_NAMES.contains(sentence.substring(s, wordEnd))) {
                break;
            }
            s = wordEnd;
            while (s < end && Character.isWhitespace(sentence.charAt(s))) {
                s++;
            }
            sentenceStart = false;
        }
        if (s >= end) {
            return;
        }
        String name = sentence.substring(s, end);
        boolean oneWord = name.indexOf(' ') < 0;
        // A capital at a sentence start says nothing; keep such a word only if it looks like a name anyway.
        if (oneWord && (sentenceStart && !hasInnerCapitalOrDigit(name) || name.length() < 2)) {
            return;
        }
        add(facts, Fact.Kind.NAME, sentence, s, end);
    }

    private static boolean hasInnerCapitalOrDigit(String word) {
        for (int i = 1; i < word.length(); i++) {
            char c = word.charAt(i);
            if (Character.isUpperCase(c) || Character.isDigit(c)) {
                return true;
            }
        }
        return false;
    }

    private static void addAll(List<Fact> facts, Fact.Kind kind, Matcher m, String sentence) {
        while (m.find()) {
            add(facts, kind, sentence, m.start(), m.end());
        }
    }

    private static void add(List<Fact> facts, Fact.Kind kind, String sentence, int start, int end) {
        String text = sentence.substring(start, end).strip();
        if (text.isEmpty()) {
            return;
        }
        int s = sentence.indexOf(text, start);
        Fact fact = new Fact(kind, text, s, s + text.length());
        for (Fact f : facts) {
            if (f.overlaps(fact)) {
                return;
            }
        }
        facts.add(fact);
    }

    /** Lower-cased words, for checks that a fact's words occur in a source. */
    static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
