package dev.penwright.trainer.data;

import java.nio.file.Path;

/** A line that could not be used, and why. */
public record BadLine(Path file, int lineNumber, String reason) {
    @Override
    public String toString() {
        return file + ":" + lineNumber + ": " + reason;
    }
}
