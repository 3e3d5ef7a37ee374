package dev.penwright.engine.styler;

import java.util.List;

import dev.penwright.api.plan.NumberedItem;

/**
 * A plan's numbered list in its copy source: the neutral draft runs the list's items into its prose ("…the following
 * steps. Boot from the CD. Mount the root partition."), and the plan says which sentences they were. The copy source
 * starts each such item on a line of its own after its number ("\n1. Boot from the CD."), and what follows a list's
 * last item in a paragraph of its own, so that a copying styler writes the steps as the style numbers them; where the
 * text breaks the line and how far it indents stay the model's choice.
 */
final class NumberedItems {
    private NumberedItems() {
    }

    /**
     * {@code source} with each of {@code items} found in it, in order (an item not found is passed over), preceded by
     * a line break and its number; the white space the source had before the item gives way to the line break.
     */
    static String copySource(String source, List<NumberedItem> items) {
        if (items.isEmpty()) {
            return source;
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int k = 0; k < items.size(); k++) {
            NumberedItem item = items.get(k);
            int at = item.text().isEmpty() ? -1 : source.indexOf(item.text(), from);
            if (at < 0) {
                continue;
            }
            int lineStart = at;
            while (lineStart > from && Character.isWhitespace(source.charAt(lineStart - 1))) {
                lineStart--;
            }
            out.append(source, from, lineStart);
            if (!out.isEmpty() || lineStart > 0) {
                out.append('\n');
            }
            out.append(item.number()).append(". ");
            from = at;
            if (k + 1 == items.size() || items.get(k + 1).number() != item.number() + 1) {
                from = endList(source, at + item.text().length(), out, from);
            }
        }
        return out.append(source, from, source.length()).toString();
    }

    /**
     * After a list's last item (its text ends at {@code end}), what follows starts a paragraph of its own: writes the
     * source up to there (and a stop the draft put after the item) and a blank line; returns where the source goes on.
     */
    private static int endList(String source, int end, StringBuilder out, int from) {
        int stop = end;
        while (stop < source.length() && ".。;；".indexOf(source.charAt(stop)) >= 0) {
            stop++;
        }
        int next = stop;
        while (next < source.length() && Character.isWhitespace(source.charAt(next))) {
            next++;
        }
        if (next == source.length()) {
            return from;
        }
        out.append(source, from, stop).append("\n\n");
        return next;
    }
}
