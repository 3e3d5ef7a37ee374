package dev.penwright.bench;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One style's table: its test split size, how many texts were run, and the rows; {@code examples} are the first
 * few texts side by side (in bench.json), {@code outputs} every text (written beside it as outputs.jsonl).
 */
public record StyleTable(String style, String language, int testSize, int trainSize, int n, List<RowResult> rows,
                         List<Example> examples, @JsonIgnore List<Example> outputs) {
    public StyleTable {
        rows = List.copyOf(rows);
        examples = List.copyOf(examples);
        outputs = List.copyOf(outputs);
    }

    /** A text and what each available system made of it, for the side-by-side section. */
    public record Example(String id, String original, String neutralDraft, java.util.Map<String, String> outputs) {
        public Example {
            outputs = java.util.Map.copyOf(outputs);
        }
    }
}
