package dev.penwright.api.style;

import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * A jar copied into the deploy folder, and its verdict to come.
 *
 * @param file    where it landed in the deploy folder
 * @param verdict completes with the entry the jar was judged to be: ACTIVE at its version, or REJECTED with the reason
 */
public record Deployment(Path file, CompletionStage<StylePackEntry> verdict) {
}
