package dev.penwright.api.generate;

/** Where one request's time went, in milliseconds. */
public record Timings(long queuedMillis, long planMillis, long styleMillis, long evaluateMillis, long totalMillis) {
}
