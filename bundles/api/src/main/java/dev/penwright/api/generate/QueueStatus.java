package dev.penwright.api.generate;

/**
 * How busy a {@link GenerationService} is: what {@code /metrics} and {@code /health} show.
 *
 * @param running   requests being served now
 * @param queued    requests waiting for a slot
 * @param maxRunning how many may run at once
 * @param maxQueued  how many may wait before new ones are refused
 */
public record QueueStatus(int running, int queued, int maxRunning, int maxQueued) {
    public static final QueueStatus UNKNOWN = new QueueStatus(0, 0, 0, 0);
}
