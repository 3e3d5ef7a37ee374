package dev.penwright.planner.extractive;

/**
 * One sentence (or list item) of the material, in reading order.
 *
 * @param text      the sentence as written, lines joined
 * @param position  its index in the whole material
 * @param listItem  whether it came from a bulleted or numbered line
 */
record Sentence(String text, int position, boolean listItem) {
}
