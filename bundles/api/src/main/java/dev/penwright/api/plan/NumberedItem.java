package dev.penwright.api.plan;

/**
 * An item of a numbered list, as a plan's neutral draft holds it: the draft runs a list into its prose, one sentence
 * an item, and keeps the items' order but not their numbers. Which steps a text numbered is content (a procedure's
 * order), so the plan keeps it beside the draft, and a styler whose style numbers its items can put them back.
 *
 * @param number the item's number in its list, from 1
 * @param text   how the item begins in the neutral draft (its first sentence, as the draft writes it)
 */
public record NumberedItem(int number, String text) {
    public NumberedItem {
        if (number < 1) {
            throw new IllegalArgumentException("a list item's number starts at 1, not " + number);
        }
        text = text == null ? "" : text;
    }
}
