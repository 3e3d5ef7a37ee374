package dev.penwright.bench;

import java.util.Optional;

/** One row of the table: a way to regenerate a text from its plan. */
public interface BenchSystem {
    /** A stable key such as neutral-draft, retrieval, base-fewshot, s-sft. */
    String key();

    /** The row's label, as in the paper's Table 1. */
    String label();

    /** Empty when it can run for this style; otherwise why not. */
    Optional<String> unavailableReason(String style);

    /** The regenerated text of one item. */
    String generate(String style, BenchItem item) throws Exception;

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
