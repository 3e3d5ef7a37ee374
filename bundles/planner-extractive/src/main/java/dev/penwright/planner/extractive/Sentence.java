package dev.penwright.planner.extractive;

/**
 * One sentence (or list item) of the material, in reading order.
 *
 * @param text      the sentence as written, lines joined
 * @param position  its index in the whole material
 * @param listItem  whether it came from a bulleted or numbered line
 * @param number    the number of the numbered list item it begins ("2." or "2)"), or 0
 * @param inItem    whether it goes on a list item begun by an earlier sentence (an item's second sentence on)
 */
record Sentence(String text, int position, boolean listItem, int number, boolean inItem) {
    Sentence(String text, int position, boolean listItem) {
        this(text, position, listItem, 0, false);
    }
}
