package dev.penwright.api.plan;

/**
 * A block of the material that is not prose and is kept as it stands: a shell session, a program listing. A neutral
 * draft is prose, so it leaves such a block out; the plan keeps it beside the draft, with where it stood, and a
 * styler writes it back there unchanged (a command is a fact to the letter, its line breaks included).
 *
 * @param after how the draft's sentence before the block ends it (its text as the draft writes it), or empty when
 *              the block comes before the draft's first sentence
 * @param text  the block's lines, their common indentation removed
 */
public record VerbatimBlock(String after, String text) {
    public VerbatimBlock {
        after = after == null ? "" : after;
        text = text == null ? "" : text;
    }
}
