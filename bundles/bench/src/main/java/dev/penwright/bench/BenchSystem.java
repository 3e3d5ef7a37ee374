package dev.penwright.bench;

import dev.penwright.trainer.data.CorpusText;

import java.util.List;
import java.util.Optional;

/** One row of the table: a way to regenerate a text from its plan. */
public interface BenchSystem {
    /**
     * What a system made of one item.
     *
     * @param text           the regenerated text
     * @param shots          few-shot exemplars the prompt held (0 for systems without any)
     * @param draftTruncated whether the plan (its draft first) was shortened to fit the model's context
     */
    record Output(String text, int shots, boolean draftTruncated) {
        public static Output of(String text) {
            return new Output(text, 0, false);
        }
    }

    /** A stable key such as neutral-draft, retrieval, base-fewshot, s-sft. */
    String key();

    /** The row's label, as in the paper's Table 1. */
    String label();

    /** Whether this row is Penwright as shipped: the packs' final stage with the decoding options they carry. */
    default boolean shipped() {
        return false;
    }

    /**
     * Few-shot exemplars each prompt is given, as configured ({@code --shots}; 0 for a prompt without any), or null
     * for rows without a prompt. How many of them fitted the model's context is measured per output
     * ({@link Output#shots()}).
     */
    default Integer shots() {
        return null;
    }

    /** Empty when it can run for this style; otherwise why not. */
    Optional<String> unavailableReason(String style);

    /** Told each style's TRAIN texts before any item of it is generated (retrieval, few-shot exemplars). */
    default void prepare(String style, List<CorpusText> train) {
    }

    /** The regenerated text of one item. */
    String generate(String style, BenchItem item) throws Exception;

    /** The regenerated text with what the prompt held; systems with prompts override it. */
    default Output render(String style, BenchItem item) throws Exception {
        return Output.of(generate(style, item));
    }

    /** A row that cannot run, with the reason shown in every report. */
    static BenchSystem unavailable(String key, String label, String reason) {
        return new BenchSystem() {
            public String key() { return key; }
            public String label() { return label; }
            public Optional<String> unavailableReason(String style) { return Optional.of(reason); }
            public String generate(String style, BenchItem item) {
                throw new IllegalStateException(label + " is not available: " + reason);
            }
        };
    }
}
