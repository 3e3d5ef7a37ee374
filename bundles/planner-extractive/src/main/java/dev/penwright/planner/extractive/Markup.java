package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes a document's markup before it is split into sentences, keeping the words the markup carries: HTML tags
 * (block tags become paragraph or line breaks, list items bullets, so that the splitter sees the structure) and the
 * common entities; Markdown fenced code (not prose, like a shell session: set apart, see {@link #parse}), headings
 * (a paragraph of their own), block quotes, horizontal rules and setext underlines, links and images (their text),
 * reference definitions, bold, strike-through and code ticks; {@code <url>}s (the address, which is content);
 * Debian-control {@code " ."} paragraph separators; inline bullets between phrases (a joining ";"); box-drawn tables (a
 * row an item, its cells joined by ";"). It only deletes marks or turns them into line structure: the words of the
 * document stay, in order.
 */
final class Markup {
    private static final Pattern FENCE = Pattern.compile("^\\s*(?:```|~~~)");
    private static final Pattern ATX_HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern SETEXT_OR_RULE = Pattern.compile(
            "^\\s{0,3}(?:=+|-{3,}|(?:\\*\\s*){3,}|(?:_\\s*){3,}|(?:-\\s+){2,}-)\\s*$");
    private static final Pattern DEBIAN_SEPARATOR = Pattern.compile("^\\s\\.\\s*$");
    private static final Pattern BLOCK_QUOTE = Pattern.compile("^\\s{0,3}(?:>\\s?)+(?=\\S)");
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+]:\\s+\\S+.*$");
    private static final Pattern IMAGE_OR_LINK = Pattern.compile("!?\\[([^\\[\\]]*)]\\((?:[^()\\s]|\\([^()]*\\))*"
            + "(?:\\s+\"[^\"]*\")?\\)|!?\\[([^\\[\\]]+)]\\[[^\\[\\]]*]");
    private static final Pattern URL_IN_ANGLES = Pattern.compile(
            "<((?:https?|ftp|mailto|file)://?[^<>\\s]+|[^<>\\s@]+@[^<>\\s@]+\\.[^<>\\s@]+)>");
    private static final Pattern HTML_BLOCK_TAG = Pattern.compile(
            "</?(?:p|div|h[1-6]|ul|ol|dl|table|tr|blockquote|section|article|header|footer|pre)(?:\\s[^<>]*)?>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_LINE_BREAK = Pattern.compile("<br\\s*/?>", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_LIST_ITEM = Pattern.compile("<(?:li|dt|dd)(?:\\s[^<>]*)?>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_TAG = Pattern.compile(
            "</?(?:a|abbr|b|i|u|s|q|em|strong|span|code|kbd|samp|var|sub|sup|small|big|cite|mark|del|ins|tt|font"
            + "|img|hr|td|th|thead|tbody|tfoot|caption|figure|figcaption|time|nav|main|aside|dfn|address)"
            + "(?:\\s+[^<>]*)?/?>|<!--.*?-->", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_ENTITY = Pattern.compile("&(amp|lt|gt|quot|apos|nbsp|mdash|ndash|hellip|#\\d{1,6}|"
            + "#x[0-9a-fA-F]{1,5});");
    private static final Map<String, String> ENTITIES = Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"",
            "apos", "'", "nbsp", " ", "mdash", "—", "ndash", "–", "hellip", "…");
    private static final Pattern STRONG = Pattern.compile(
            "(?<![\\w*])\\*\\*(?=\\S)(.+?)(?<=\\S)\\*\\*(?![\\w*])|(?<![\\w_])__(?=\\S)(.+?)(?<=\\S)__(?![\\w_])");
    private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
    private static final Pattern CODE_TICKS = Pattern.compile("(`+)\\s?([^`]+?)\\s?\\1");
    private static final Pattern BOX_ONLY = Pattern.compile("[\\u2500-\\u257F\\s]+");
    private static final Pattern INLINE_BULLET = Pattern.compile("(?<=\\S)[ \\t]+[•‣◦][ \\t]+");
    // TeX-style quotes, `like this': typography, not code.
    private static final Pattern TEX_QUOTE = Pattern.compile("`([^`'\\n]{1,200})'");

    /**
     * A document without its markup, each fenced code block replaced by a paragraph of its own that only holds a
     * {@link #placeholder} (private-use characters no later rule touches), and the blocks' lines as written.
     */
    record Plain(String text, List<String> fenced) {
    }

    /** The paragraph that stands for the {@code index}-th fenced block in {@link Plain#text()}. */
    static String placeholder(int index) {
        return "\uE000" + index + "\uE000";
    }

    static final Pattern PLACEHOLDER = Pattern.compile("\uE000(\\d+)\uE000");

    String plain(String text) {
        return PLACEHOLDER.matcher(parse(text).text()).replaceAll("");
    }

    Plain parse(String text) {
        List<String> fenced = new ArrayList<>();
        String s = text;
        if (s.indexOf('<') >= 0 || s.indexOf('&') >= 0) {
            s = html(s);
        }
        List<String> lines = new ArrayList<>();
        boolean inFence = false;
        String[] all = s.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            if (FENCE.matcher(line).find()) {
                // Fenced code is not prose: no sentence of it, but kept as it stands, where it stood.
                inFence = !inFence;
                lines.add("");
                if (inFence) {
                    fenced.add("");
                    lines.add(placeholder(fenced.size() - 1));
                    lines.add("");
                }
                continue;
            }
            if (inFence) {
                String block = fenced.get(fenced.size() - 1);
                fenced.set(fenced.size() - 1, block.isEmpty() ? line : block + "\n" + line);
                continue;
            }
            Matcher heading = ATX_HEADING.matcher(line);
            // A run of "#" lines is a root shell session or a comment block, not headings.
            boolean hashRun = (i > 0 && all[i - 1].strip().startsWith("#"))
                    || (i + 1 < all.length && all[i + 1].strip().startsWith("#"));
            if (heading.matches() && !hashRun) {
                lines.add("");
                lines.add(heading.group(1));
                lines.add("");
            } else if (SETEXT_OR_RULE.matcher(line).matches() || DEBIAN_SEPARATOR.matcher(line).matches()) {
                lines.add(""); // an underlined heading or a rule ends the paragraph above it
            } else if (REFERENCE_DEFINITION.matcher(line).matches()) {
                lines.add("");
            } else {
                lines.add(BLOCK_QUOTE.matcher(line).replaceFirst(""));
            }
        }
        s = String.join("\n", flattenTables(lines));
        if (s.indexOf('[') >= 0) {
            s = IMAGE_OR_LINK.matcher(s).replaceAll(m -> Matcher.quoteReplacement(
                    m.group(1) != null ? m.group(1) : m.group(2)));
        }
        s = STRONG.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) != null ? m.group(1) : m.group(2)));
        s = STRIKE.matcher(s).replaceAll("$1");
        if (s.indexOf('`') >= 0) {
            s = TEX_QUOTE.matcher(s).replaceAll(m -> Matcher.quoteReplacement("'" + m.group(1) + "'"));
            s = CODE_TICKS.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(2)));
        }
        return new Plain(INLINE_BULLET.matcher(s).replaceAll("; "), List.copyOf(fenced));
    }

    /**
     * A box-drawn table as one list item a row, its cells joined by ";" (each cell's wrapped lines joined first), so
     * that its words stay prose and in reading order.
     */
    private static List<String> flattenTables(List<String> lines) {
        List<String> out = new ArrayList<>();
        List<StringBuilder> cells = new ArrayList<>();
        for (String line : lines) {
            String t = line.strip();
            boolean tableLine = !t.isEmpty() && t.charAt(0) >= '\u2500' && t.charAt(0) <= '\u257F';
            if (!tableLine) {
                flushRow(cells, out);
                out.add(line);
                continue;
            }
            if (BOX_ONLY.matcher(t).matches()) {
                flushRow(cells, out); // a rule between rows
                continue;
            }
            String[] parts = t.split("[│┃|]", -1);
            for (int c = 0; c < parts.length; c++) {
                while (cells.size() <= c) {
                    cells.add(new StringBuilder());
                }
                SentenceSplitter.join(cells.get(c), parts[c].strip());
            }
        }
        flushRow(cells, out);
        return out;
    }

    private static void flushRow(List<StringBuilder> cells, List<String> out) {
        List<String> filled = cells.stream().map(StringBuilder::toString).filter(c -> !c.isBlank()).toList();
        if (!filled.isEmpty()) {
            out.add("");
            out.add("- " + String.join("; ", filled));
            out.add("");
        }
        cells.clear();
    }

    private static String html(String text) {
        String s = URL_IN_ANGLES.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = HTML_BLOCK_TAG.matcher(s).replaceAll("\n\n");
        s = HTML_LINE_BREAK.matcher(s).replaceAll("\n");
        s = HTML_LIST_ITEM.matcher(s).replaceAll("\n- ");
        s = HTML_TAG.matcher(s).replaceAll("");
        return HTML_ENTITY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(entity(m.group(1))));
    }

    private static String entity(String name) {
        if (!name.startsWith("#")) {
            return ENTITIES.get(name);
        }
        int cp = name.startsWith("#x") ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
        // An invalid reference is left as written: it is not markup we understand.
        return Character.isValidCodePoint(cp) && cp != 0 ? Character.toString(cp) : "&" + name + ";";
    }
}
