package dev.penwright.engine.styler;

import java.util.List;

import dev.penwright.api.plan.NumberedItem;

/**
 * A plan's numbered list in its copy source: the neutral draft runs the list's items into its prose ("…the following
 * steps. Boot from the CD. Mount the root partition."), and the plan says which sentences they were. The copy source
 * starts each such item on a line of its own after its number ("\n1. Boot from the CD."), so that a copying styler
 * writes the steps as the style numbers them; where the text breaks the line and how far it indents stay the
 * model's choice.
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
        for (NumberedItem item : items) {
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
        }
        return out.append(source, from, source.length()).toString();
    }
}
