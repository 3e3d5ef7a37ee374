package dev.penwright.bench;

import java.util.List;
import java.util.Map;

/**
 * A whole run: one table a style and the overall mean (a row's mean over the styles where it ran; it is shown as
 * not available unless it ran for every style, as a mean over fewer styles would not compare).
 */
public record BenchResult(Map<String, Object> settings, List<StyleTable> styles, List<RowResult> overall,
                          double seconds) {
    public BenchResult {
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        styles = List.copyOf(styles);
        overall = List.copyOf(overall);
    }
}
