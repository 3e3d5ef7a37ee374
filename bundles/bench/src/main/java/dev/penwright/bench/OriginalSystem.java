package dev.penwright.bench;

import java.util.Optional;

/**
 * The reference row: the test text itself as the output. Its ROUGE-L and content recall are 100 by definition; its
 * style score is what the real thing scores, so the table shows how far the neutral draft sits from it in style —
 * the distance a styler has to cover.
 */
public final class OriginalSystem implements BenchSystem {
    public static final String KEY = "original";

    public String key() { return KEY; }
    public String label() { return "Original text (reference)"; }
    public Optional<String> unavailableReason(String style) { return Optional.empty(); }
    public String generate(String style, BenchItem item) { return item.original().text(); }
}
