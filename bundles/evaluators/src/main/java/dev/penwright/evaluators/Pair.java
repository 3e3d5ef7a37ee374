package dev.penwright.evaluators;

/**
 * One line of a pairs file: a generated text and what to score it against.
 *
 * @param id         the pair's id (unique in its file)
 * @param hypothesis the generated text
 * @param reference  the reference text
 * @param source     the material it was generated from, or null
 */
public record Pair(String id, String hypothesis, String reference, String source) {
    public Pair {
        if (id == null || hypothesis == null || reference == null) {
            throw new IllegalArgumentException("a pair needs an id, a hypothesis and a reference");
        }
    }
}
