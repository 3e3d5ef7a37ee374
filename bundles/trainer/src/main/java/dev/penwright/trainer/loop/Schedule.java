package dev.penwright.trainer.loop;

/**
 * Linear warm-up from 0 to the peak over {@code warmup} steps, then cosine decay to {@code minRatio}·peak at
 * {@code total} steps (and flat after it).
 */
public record Schedule(double peak, int warmup, int total, double minRatio) {
    public Schedule {
        if (peak <= 0 || warmup < 0 || total <= 0 || minRatio < 0 || minRatio > 1) {
            throw new IllegalArgumentException("bad schedule: peak " + peak + ", warm-up " + warmup + ", total " + total
                    + ", min ratio " + minRatio);
        }
    }

    /** The learning rate of optimiser step {@code step} (0-based). */
    public double at(int step) {
        if (step < warmup) {
            return peak * (step + 1) / (warmup + 1);
        }
        int span = Math.max(1, total - warmup);
        double progress = Math.min(1.0, (double) (step - warmup) / span);
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
