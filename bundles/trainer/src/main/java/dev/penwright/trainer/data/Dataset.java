package dev.penwright.trainer.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The usable records of one file and the lines that were skipped.
 *
 * @param file     where they came from
 * @param records  in file order
 * @param badLines lines skipped, with their numbers and reasons (empty when the policy is to fail)
 */
public record Dataset<T>(Path file, List<T> records, List<BadLine> badLines) {
    public Dataset {
        records = List.copyOf(records);
        badLines = List.copyOf(badLines);
    }
}
