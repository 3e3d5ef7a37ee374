package dev.penwright.planner.extractive;

/**
 * A fact-bearing span of a sentence, quoted verbatim.
 *
 * @param kind  what sort of fact
 * @param text  the span exactly as it stands in the sentence
 * @param start where it starts in the sentence
 * @param end   where it ends in the sentence (exclusive)
 */
record Fact(Kind kind, String text, int start, int end) {
    enum Kind { NUMBER, DATE, NAME, QUOTED, LIST_ITEM, SOURCE }

    boolean overlaps(Fact other) {
        return start < other.end && other.start < end;
    }
}
