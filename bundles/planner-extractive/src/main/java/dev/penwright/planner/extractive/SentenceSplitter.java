package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into sentences and list items. Hard-wrapped lines are joined (with no space between two CJK
 * characters), blank lines end a paragraph, bulleted or numbered lines are items of their own. Latin sentences end
 * at . ! ? followed by a space and a likely sentence start, unless the word before is a known abbreviation; CJK
 * sentences end at 。！？ wherever they are.
 */
final class SentenceSplitter {
    // Bullets ("*", "-", "•", an indented "o"), numbered senses ("1.", "2)", "(a)", "(iv)", "a."), CJK numbering.
    static final Pattern LIST_MARKER = Pattern.compile(
            "^\\s*(?:[-*•‣◦·+▪►✓✔]\\s+|\\d{1,3}[.)]\\s+|[a-z][.)]\\s+|\\((?:\\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})\\)\\s+"
            + "|\\s+o\\s+(?=\\S)|[（(]?[一二三四五六七八九十]{1,3}[、．.)）]\\s*)");
    // An attribution under a quotation or a poem: "-- Author《Work》", "— Name".
    private static final Pattern ATTRIBUTION_LINE = Pattern.compile("^\\s*(?:--+(?![\\w-])|——|―+|—)\\s*(?=\\S)");
    // Shell prompts ("$ ", "# ", "user@host:~# ") and "ls -l" listings. (Markup has already turned Markdown
    // headings into plain lines, tables into items, and removed block-quote marks.)
    private static final Pattern CODE_LINE = Pattern.compile(
            "^\\s*(?:[$#] |[-drwxl]{10} |\\S+@\\S+:\\S*[$#] )");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n\\s*\\n");
    private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr",
            "vs", "etc", "e.g", "i.e", "cf", "al", "inc", "ltd", "co", "no", "nos", "fig", "approx", "u.s", "a.d",
            "b.c", "ph.d", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
            "n", "v", "vt", "vi", "adj", "adv", "interj", "pl", "esp", "orig", "prob", "incl", "resp", "ca", "vol",
            "ed", "eds", "p", "pp", "ch", "sec", "dept", "univ", "mt", "ft", "gen", "gov", "corp", "syn", "alt", "abbr");
    // After an abbreviation these words still most likely start a new sentence ("... 500 A.D. The project ...").
    private static final Set<String> SENTENCE_STARTERS = Set.of("The", "This", "That", "These", "Those", "It",
            "Its", "In", "A", "An", "There", "He", "She", "They", "We", "You", "I", "But", "However", "Also", "See",
            "For", "If", "When", "Some", "Most", "Many");
    private static final String CJK_ENDERS = "。！？…";
    // Quotations and brackets whose sentences stay together, so no sentence ends inside an aside or a quotation.
    private static final String OPEN_QUOTES = "“「『([（";
    private static final String CLOSE_QUOTES = "”」』)]）";
    /** CJK punctuation that closes or ends: a wrapped line that starts with one takes no space before it. */
    private static final String CJK_TRAILING = "）」』】〉》，。、；：！？";
    private static final String CLOSERS = "\"'”’」』）)]》";

    List<Sentence> split(String text) {
        return splitWithCode(text).sentences();
    }

    /**
     * A paragraph that is not prose (a shell session, a listing), kept as it stands but for its common indentation.
     *
     * @param before how many sentences of the text come before it
     * @param text   its lines
     */
    record Code(int before, String text) {
    }

    /** The text's sentences, and apart from them its paragraphs that are not prose. */
    record Split(List<Sentence> sentences, List<Code> code) {
    }

    Split splitWithCode(String text) {
        return splitWithCode(text, List.of());
    }

    /** {@link #splitWithCode(String)} of a text whose fenced blocks {@link Markup#parse} set apart as {@code fenced}. */
    Split splitWithCode(String text, List<String> fenced) {
        List<Sentence> out = new ArrayList<>();
        List<Code> code = new ArrayList<>();
        String[] paragraphs = BLANK_LINES.split(normalise(text));
        for (int i = 0; i < paragraphs.length; i++) {
            String paragraph = paragraphs[i];
            Matcher placeholder = Markup.PLACEHOLDER.matcher(paragraph.strip());
            if (placeholder.matches()) {
                int index = Integer.parseInt(placeholder.group(1));
                String block = index < fenced.size() ? dedent(fenced.get(index)) : "";
                if (!block.isEmpty()) {
                    code.add(new Code(out.size(), block));
                }
                continue;
            }
            if (isCode(paragraph)) {
                // Not prose, so not the draft's; but a command is content to the letter, kept as it stands.
                code.add(new Code(out.size(), dedent(paragraph)));
                continue;
            }
            if (out.isEmpty() && isNumberedHeading(paragraph, i + 1 < paragraphs.length ? paragraphs[i + 1] : "")) {
                addIfNotBlank(out, paragraph, false, 0, false);
                continue;
            }
            for (Block block : blocks(paragraph)) {
                boolean first = block.listItem;
                int number = block.number;
                boolean inItem = false;
                for (String s : sentences(block.text)) {
                    addIfNotBlank(out, s, first, number, inItem);
                    inItem = block.listItem;
                    first = false;
                    number = 0;
                }
            }
        }
        return new Split(out, code);
    }

    /** The paragraph's lines without the indentation they all share, nor trailing white space, nor blank ends. */
    static String dedent(String paragraph) {
        String[] lines = paragraph.split("\n");
        int common = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                common = Math.min(common, line.length() - line.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(line.isBlank() ? "" : line.substring(common).stripTrailing());
        }
        return sb.toString().strip();
    }

    /**
     * A text's first paragraph that is a numbered section heading ("3. About this document"): one line, a number and
     * a title without a sentence's end, and no list following it (then it would be the list's first item). Its number
     * is part of the heading, as "4.7.4." is of "4.7.4. root password", not a list mark to drop.
     */
    static boolean isNumberedHeading(String paragraph, String next) {
        String line = paragraph.strip();
        return line.indexOf('\n') < 0 && line.length() <= 80 && NUMBERED_HEADING.matcher(line).matches()
                && !LIST_MARKER.matcher(next).find();
    }

    static final Pattern NUMBERED_HEADING = Pattern.compile("\\d{1,3}\\.\\s+\\S.*(?<![.。!?！？:：;；,，])");

    /** Unix line ends, no-break spaces as spaces, no tabs. */
    static String normalise(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u00a0', ' ').replace('\u3000', ' ')
                .replace('\t', ' ');
    }

    /**
     * A paragraph most of whose lines are shell prompts or listing lines, or that opens with a prompt and has as many
     * of them as lines of output ("$ date" then the date it prints).
     */
    static boolean isCode(String paragraph) {
        String[] lines = paragraph.strip().split("\n");
        int code = 0;
        for (String line : lines) {
            if (CODE_LINE.matcher(line).find()) {
                code++;
            }
        }
        return code * 2 > lines.length || code * 2 == lines.length && CODE_LINE.matcher(lines[0]).find();
    }

    private static void addIfNotBlank(List<Sentence> out, String text, boolean listItem, int number,
                                      boolean inItem) {
        String t = text.strip();
        if (!t.isEmpty()) {
            out.add(new Sentence(t, out.size(), listItem, number, inItem));
        }
    }

    /** A paragraph's item (or the paragraph), with its list number when its mark is one ("3." or "(3)"), else 0. */
    private record Block(String text, boolean listItem, int number) {
    }

    private static final Pattern NUMBER_MARK = Pattern.compile("^\\s*\\(?(\\d{1,3})[.)]");

    private static int numberOf(String marker) {
        Matcher m = NUMBER_MARK.matcher(marker);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The paragraph's list items, each with its continuation lines, or the paragraph as one block. */
    private static List<Block> blocks(String paragraph) {
        List<Block> blocks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean currentIsItem = false;
        int currentNumber = 0;
        for (String line : paragraph.split("\n")) {
            Matcher marker = LIST_MARKER.matcher(line);
            if (ATTRIBUTION_LINE.matcher(line).find()) {
                // The attribution is a sentence of its own, never glued to the quotation's last sentence.
                if (!current.isEmpty()) {
                    blocks.add(new Block(current.toString(), currentIsItem, currentNumber));
                }
                current = new StringBuilder(line.strip());
                currentIsItem = false;
                currentNumber = 0;
            } else if (marker.find()) {
                if (!current.isEmpty()) {
                    blocks.add(new Block(current.toString(), currentIsItem, currentNumber));
                }
                current = new StringBuilder(line.substring(marker.end()).strip());
                currentIsItem = true;
                currentNumber = numberOf(marker.group());
            } else {
                join(current, line.strip());
            }
        }
        if (!current.isEmpty()) {
            blocks.add(new Block(current.toString(), currentIsItem, currentNumber));
        }
        // A numbered paragraph such as Jargon's "1. vi. To post ..." is one item, not a list of one line each.
        return blocks;
    }

    /** Joins a wrapped line: a space between words, nothing between CJK characters or before CJK punctuation. */
    static void join(StringBuilder sb, String line) {
        if (line.isEmpty()) {
            return;
        }
        if (!sb.isEmpty()) {
            int last = sb.codePointBefore(sb.length());
            int first = line.codePointAt(0);
            if (!(isCjk(last) && isCjk(first)) && CJK_TRAILING.indexOf(first) < 0 && !endsInsideUrl(sb)) {
                sb.append(' ');
            }
        }
        sb.append(line);
    }

    /** "see http://" + newline + "example.org/x": an address broken at the line end goes on without a space. */
    private static boolean endsInsideUrl(StringBuilder sb) {
        int start = sb.length();
        while (start > 0 && !Character.isWhitespace(sb.charAt(start - 1)) && sb.charAt(start - 1) != '（'
                && sb.charAt(start - 1) != '(') {
            start--;
        }
        String token = sb.substring(start);
        return token.contains("://") && (token.endsWith("/") || token.endsWith("."));
    }

    static boolean isCjk(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        if (script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL) {
            return true;
        }
        Character.UnicodeBlock block = Character.UnicodeBlock.of(cp);
        return block == Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION
                || block == Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS;
    }

    private static List<String> sentences(String block) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = block.length();
        int quoteClosesAt = -1;
        for (int i = 0; i < n; i++) {
            char c = block.charAt(i);
            int open = OPEN_QUOTES.indexOf(c);
            if (open >= 0 && quoteClosesAt < i) {
                int close = block.indexOf(CLOSE_QUOTES.charAt(open), i);
                // Inside a short quotation keep its sentences together, so no statement ends in an open quote.
                quoteClosesAt = close > 0 && close - i < 200 ? close : -1;
            }
            boolean cjkEnd = CJK_ENDERS.indexOf(c) >= 0;
            boolean latinEnd = c == '.' || c == '!' || c == '?';
            if (!cjkEnd && !latinEnd) {
                continue;
            }
            int end = i + 1;
            while (end < n && (CJK_ENDERS.indexOf(block.charAt(end)) >= 0 || block.charAt(end) == '!'
                    || block.charAt(end) == '?' || CLOSERS.indexOf(block.charAt(end)) >= 0)) {
                end++;
            }
            boolean inShortQuote = end <= quoteClosesAt;
            if (!inShortQuote && (cjkEnd || isLatinBoundary(block, i, end))) {
                out.add(block.substring(start, end));
                start = end;
            }
            i = end - 1;
        }
        if (start < n) {
            out.add(block.substring(start));
        }
        return out;
    }

    private static boolean isLatinBoundary(String block, int punct, int end) {
        if (end >= block.length()) {
            return true;
        }
        if (!Character.isWhitespace(block.charAt(end))) {
            return false; // 28.8, example.com, U.S.A
        }
        int next = end;
        while (next < block.length() && Character.isWhitespace(block.charAt(next))) {
            next++;
        }
        if (next >= block.length()) {
            return true;
        }
        int nextCp = block.codePointAt(next);
        boolean startsLikeSentence = Character.isUpperCase(nextCp) || Character.isDigit(nextCp)
                || "\"'“‘([{".indexOf(nextCp) >= 0 || isCjk(nextCp)
                || ATTRIBUTION_LINE.matcher(block).region(next, block.length()).lookingAt(); // "Be brief. — A. Writer"
        if (!startsLikeSentence) {
            return false;
        }
        if (block.charAt(punct) != '.') {
            return true;
        }
        String before = wordBefore(block, punct);
        boolean abbreviation = ABBREVIATIONS.contains(before.toLowerCase(Locale.ROOT))
                || (before.length() == 1 && Character.isUpperCase(before.charAt(0)));
        if (!abbreviation) {
            return true;
        }
        return SENTENCE_STARTERS.contains(nextWord(block, next));
    }

    /** The word just before a full stop, keeping inner dots ("e.g", "U.S"). */
    private static String wordBefore(String block, int punct) {
        int s = punct;
        while (s > 0 && (Character.isLetter(block.charAt(s - 1)) || block.charAt(s - 1) == '.')) {
            s--;
        }
        if (s > 0 && Character.isDigit(block.charAt(s - 1))) {
            return ""; // "1st.", "3rd.": an ordinal, not an abbreviation
        }
        return block.substring(s, punct);
    }

    private static String nextWord(String block, int from) {
        int e = from;
        while (e < block.length() && Character.isLetter(block.charAt(e))) {
            e++;
        }
        return block.substring(from, e);
    }
}
