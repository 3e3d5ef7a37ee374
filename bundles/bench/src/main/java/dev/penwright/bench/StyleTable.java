package dev.penwright.bench;

import java.util.List;

/** One style's table: its test split size, how many texts were run, and the rows. */
public record StyleTable(String style, String language, int testSize, int trainSize, int n, List<RowResult> rows,
                         List<Example> examples) {
    public StyleTable {
        rows = List.copyOf(rows);
        examples = List.copyOf(examples);
    }

    /** A text and what each available system made of it, for the side-by-side section. */
    public record Example(String id, String original, String neutralDraft, java.util.Map<String, String> outputs) {
        public Example {
            outputs = java.util.Map.copyOf(outputs);
        }
    }
}
