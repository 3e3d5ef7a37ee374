package dev.penwright.trainer.style;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The wall-clock budget of a whole {@code train style} run ({@code --minutes N}), shared by its phases. Planning
 * runs first and spends what it needs; after it, each phase gets, when it starts, the time left times its weight
 * over the weights of the phases still to run ({@link #RULE}). A phase that ends early (early stop, nothing to
 * sample) leaves its time to the phases after it, and one that overran takes it from them, so the run ends near the
 * budget. With no budget (0 minutes) every share is unlimited and only the phases' step counts bound the run.
 */
final class Budget {
    static final String RULE = "planning first, as long as it takes; then each phase gets (time left) x (its weight) /"
            + " (weights of the phases still to run): S-SFT 8, each self-improvement round 3 (sampling at most 40% of"
            + " it, training the rest), C-DPO 2 (sampling altered outputs at most 30% of it), each stage's evaluation"
            + " and pack 1";
    static final double SFT = 8;
    static final double ROUND = 3;
    static final double DPO = 2;
    static final double STAGE = 1;

    private final double totalSeconds;
    private final long started;
    private final Map<String, Double> pending = new LinkedHashMap<>();
    private final List<PhaseTime> spent = new ArrayList<>();

    /** A phase's time: its planned share (null when the run has no budget) and what it used. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PhaseTime(String phase, Double plannedSeconds, double usedSeconds) {
    }

    /** The {@code budget} object of report.json and deploy.json. */
    record Report(double minutes, String rule, List<PhaseTime> phases, double elapsedSeconds) {
    }

    /** @param minutes the whole run's budget, 0 for none */
    Budget(double minutes) {
        this.totalSeconds = minutes * 60;
        this.started = System.nanoTime();
    }

    boolean limited() {
        return totalSeconds > 0;
    }

    /** Declares a phase to come, in run order. */
    void plan(String phase, double weight) {
        pending.put(phase, weight);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** Seconds left of the whole budget (infinite with no budget). */
    double leftSeconds() {
        return limited() ? Math.max(0, totalSeconds - elapsedSeconds()) : Double.POSITIVE_INFINITY;
    }

    /** Starts a declared phase: its share of the time left (infinite with no budget). */
    Share begin(String phase) {
        Double weight = pending.remove(phase);
        if (weight == null) {
            throw new IllegalStateException("phase " + phase + " was not planned (or began twice)");
        }
        double rest = pending.values().stream().mapToDouble(Double::doubleValue).sum();
        double seconds = limited() ? leftSeconds() * weight / (weight + rest) : Double.POSITIVE_INFINITY;
        return new Share(phase, seconds, System.nanoTime());
    }

    /** Records a phase that was not shared out (planning), with the time it took. */
    void record(String phase, double seconds) {
        spent.add(new PhaseTime(phase, null, seconds));
    }

    /** The rule, the budget and each phase's planned and used seconds so far. */
    Report report() {
        return new Report(totalSeconds / 60, limited() ? RULE : "no time budget: the phases' step counts bound the run",
                List.copyOf(spent), elapsedSeconds());
    }

    /** One phase's time. */
    final class Share {
        private final String phase;
        private final double seconds;
        private final long start;

        private Share(String phase, double seconds, long start) {
            this.phase = phase;
            this.seconds = seconds;
            this.start = start;
        }

        /** Whether the run has a time budget. */
        boolean limited() {
            return Budget.this.limited();
        }

        /** The share in seconds (infinite with no budget). */
        double seconds() {
            return seconds;
        }

        /** The share in minutes for a training loop: 0 (none) with no budget, at least a few seconds otherwise. */
        double loopMinutes(double fraction) {
            return limited() ? Math.max(5.0, left() * fraction) / 60 : 0;
        }

        double used() {
            return (System.nanoTime() - start) / 1e9;
        }

        double left() {
            return Math.max(0, seconds - used());
        }

        /** Whether {@code fraction} of the share is spent (never with no budget). */
        boolean spent(double fraction) {
            return limited() && used() >= seconds * fraction;
        }

        void end() {
            spent.add(new PhaseTime(phase, limited() ? seconds : null, used()));
        }
    }
}
