package dev.penwright.engine.styler;

import java.util.Collection;
import java.util.regex.Pattern;

import dev.penwright.api.style.Exemplar;

/**
 * A style that opens its texts with their title on a line of its own (a manual's section heading, an article's
 * headline): its copy source starts with the title as such a line. A neutral draft runs a heading into its first
 * sentence ("1.1.1. shell 提示符。启动系统之后…"), and a copying styler then writes the heading with the draft's full stop
 * and no line break, which no text of the style does.
 *
 * <p>A draft that does not open with the title is left as it is: a title may be cut short ("…"), or name what the
 * draft leaves out (a command line the neutraliser dropped), so putting it in front would add what the text lacks.
 */
final class TitleLine {
    /** A style titles its texts when more than this share of its exemplars open with their title's line. */
    static final double TITLED_SHARE = 0.5;
    private static final Pattern SPACE = Pattern.compile("[\\s\\u00A0\\u3000]+");
    private static final String STOPS = ".。!！?？";
    /** A heading is short; a longer title is a sentence. */
    static final int MAX_HEADING = 80;

    private TitleLine() {
    }

    /** Whether more than {@link #TITLED_SHARE} of the exemplars (with a title) have their title as their first line. */
    static boolean styleTitles(Collection<Exemplar> exemplars) {
        int titled = 0;
        int withTitle = 0;
        for (Exemplar e : exemplars) {
            if (e.title() == null || e.title().isBlank() || e.text() == null) {
                continue;
            }
            withTitle++;
            String first = e.text().strip().lines().findFirst().orElse("");
            if (normalise(first).equals(normalise(e.title()))) {
                titled++;
            }
        }
        return withTitle > 0 && titled > TITLED_SHARE * withTitle;
    }

    /**
     * The copy source for {@code draft} in a style that titles its texts: where the draft's first sentence is the
     * title (white space aside, its first letter in either case), that sentence without its full stop, then a blank
     * line, then the rest; any other draft as it is: one that starts with the title but goes on in the same sentence
     * (a first sentence that only begins like it), and any draft of a title that is itself a sentence (it ends with a
     * full stop, a question or an exclamation mark).
     */
    static String copySource(String title, String draft) {
        String t = title == null ? "" : normalise(title);
        if (!isHeading(t)) {
            return draft;
        }
        int end = prefixEnd(draft, t);
        if (end < 0) {
            return draft;
        }
        int rest = end;
        if (rest < draft.length() && STOPS.indexOf(draft.charAt(rest)) >= 0) {
            rest++;
        } else if (rest < draft.length()) {
            return draft; // the sentence goes on: the title only begins it
        }
        while (rest < draft.length() && isSpace(draft.charAt(rest))) {
            rest++;
        }
        String heading = draft.substring(0, end);
        return rest >= draft.length() ? heading : heading + "\n\n" + draft.substring(rest);
    }

    /**
     * Whether a title reads as a heading, not as a text's first sentence (which is what a planner makes a title of
     * when a text has none: "子曰：\"君子不重则不威，学则不固" of a fortune): at most {@link #MAX_HEADING} characters, no
     * sentence stop at its end, no clause punctuation ("，", "；", ";"), its quotes and brackets closed. Set apart,
     * such a sentence split a quotation in two and dropped its stop (zh-fortunes test: 10 of 200).
     */
    static boolean isHeading(String title) {
        if (title.isEmpty() || title.length() > MAX_HEADING || STOPS.indexOf(title.charAt(title.length() - 1)) >= 0
                || title.chars().anyMatch(c -> c == '，' || c == '；' || c == ';')) {
            return false;
        }
        int straight = 0;
        int depth = 0;
        for (char c : title.toCharArray()) {
            if (c == '"') {
                straight++;
            } else if ("“「『（(《[".indexOf(c) >= 0) {
                depth++;
            } else if ("”」』）)》]".indexOf(c) >= 0) {
                depth--;
            }
        }
        return straight % 2 == 0 && depth == 0;
    }

    /** Where the draft's opening equal to {@code title} (white space compared as one space) ends, or -1. */
    private static int prefixEnd(String draft, String title) {
        int i = 0;
        int j = 0;
        while (j < title.length()) {
            if (i >= draft.length() && title.charAt(j) != ' ') {
                return -1;
            }
            char d = draft.charAt(i);
            char t = title.charAt(j);
            if (t == ' ') {
                // "9.5.15. 通过" is drafted "9.5.15.通过": a space of the title may be missing in the draft.
                while (i < draft.length() && isSpace(draft.charAt(i))) {
                    i++;
                }
                j++;
            } else if (d == t || i == 0 && Character.toLowerCase(d) == Character.toLowerCase(t)) {
                i++;
                j++;
            } else {
                return -1;
            }
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || c == '\u00A0' || c == '\u3000';
    }

    private static String normalise(String s) {
        return SPACE.matcher(s.strip()).replaceAll(" ").strip();
    }
}
