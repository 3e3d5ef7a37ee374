package dev.penwright.trainer.style;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The wall-clock budget of a whole {@code train style} run ({@code --minutes N}), shared by its phases.
 *
 * <p>Two kinds of phase. <em>Fixed</em> phases do a set amount of work whatever their share (scoring validation
 * outputs and writing a stage's pack, scoring a replaced pack): giving them a share of the time only lends them time
 * they hand back unused, and the last of them handed it back at the end of the run, which then ended early (a 20-minute
 * run ended at 17.2). So their time is <em>reserved</em> at what they cost: before the first training step a short
 * probe decode plans how many validation outputs each scoring decodes, and which stages are scored, within
 * {@link #SCORING_SHARE} of the budget ({@link #planScoring}); then the run scores the base model on those plans (the
 * first stage needs it anyway), and that measured time is the estimate of each scoring phase still to run, renewed by
 * each one that ends. <em>Training</em>
 * phases (S-SFT, each self-improvement round, C-DPO) fill what they are given: each gets, when it starts, the time
 * left minus the reserve, times its weight over the weights of the training phases still to run ({@link #RULE}). A
 * phase that ends early (early stop, nothing to sample) leaves its time to the training phases after it, one that
 * overran takes it from them, and the last one takes all that is left but the reserve, so the run ends at its budget.
 * With no budget (0 minutes) every share is unlimited and only the phases' step counts bound the run.
 */
final class Budget {
    static final String RULE = "planning first, as long as it takes; then the base model's validation scoring (on as"
            + " many plans as 15% of the budget holds for all scorings, intermediate stages unscored first), whose"
            + " time is reserved for each stage's scoring still to come (renewed as each one ends); the rest goes to"
            + " the training phases, each getting (time left - reserve) x (its weight) / (weights of the training"
            + " phases still to run): S-SFT 8, each self-improvement round 3 (sampling at most 40% of it, training the"
            + " rest), C-DPO 2 (sampling at most 50% of it, steps fitted to the rest); the last takes all that is left";
    static final double SFT = 8;
    static final double ROUND = 3;
    static final double DPO = 2;
    /**
     * A scoring phase's reserve is its estimate times this (decoding time varies with the texts and the load; with
     * outputs capped at twice their reference, the last stage's scoring took 0.7 to 1.0 times the baseline's).
     */
    static final double RESERVE_MARGIN = 1.2;
    /**
     * The most of the budget the scorings of validation outputs may take together. One scoring of 8 outputs took
     * 3.5 minutes on a loaded 2-core machine: four of them are more than a short budget holds, and are not training.
     */
    static final double SCORING_SHARE = 0.15;
    private static final String STAGE = "stage-";
    /** The longest sampled text of a self-improvement or C-DPO candidate, by default (--max-tokens / 2). */
    static final int SAMPLED_TOKENS = 128;

    private final double totalSeconds;
    private final long started;
    private final java.util.function.LongSupplier clock;
    /** Training phases to come, by weight, in run order. */
    private final Map<String, Double> pending = new LinkedHashMap<>();
    /** Fixed phases to come, in run order. */
    private final List<String> fixed = new ArrayList<>();
    private final List<PhaseTime> spent = new ArrayList<>();
    /** Seconds one validation scoring takes (NaN until measured). */
    private double scoring = Double.NaN;
    /** Whether stages before the last are scored (they are not when the scorings would not fit their share). */
    private boolean scoreIntermediate = true;
    /** Seconds a decoded token took in the probe (NaN before it). */
    private double decodeSecondsPerToken = Double.NaN;
    /** Whether no scoring fits the budget at all. */
    private boolean scoreNothing;
    /** Outputs a scoring decodes (its cost per output estimates a sampled text's before any is sampled). */
    private int scoredItems;
    /** Training tokens a second, as the last training phase measured them (NaN until measured). */
    private double trainingTokensPerSecond = Double.NaN;
    /** Elapsed seconds when the last phase ended. */
    private double lastMark;

    /**
     * A phase's time: its planned share (null when the run has no budget or the phase was not shared out), what it
     * used, and a word on why it used less or more (null when nothing needs saying).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PhaseTime(String phase, Double plannedSeconds, double usedSeconds, String note) {
    }

    /** The {@code budget} object of report.json and deploy.json. */
    record Report(double minutes, String rule, List<PhaseTime> phases, double elapsedSeconds) {
    }

    /** @param minutes the whole run's budget, 0 for none */
    Budget(double minutes) {
        this(minutes, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} counts them (tests pass their own) */
    Budget(double minutes, java.util.function.LongSupplier clock) {
        this.totalSeconds = minutes * 60;
        this.clock = clock;
        this.started = clock.getAsLong();
    }

    boolean limited() {
        return totalSeconds > 0;
    }

    /** Declares a training phase to come, in run order. */
    void plan(String phase, double weight) {
        pending.put(phase, weight);
    }

    /** Declares a fixed phase to come (a scoring of validation outputs): its time is reserved, not shared. */
    void planFixed(String phase) {
        fixed.add(phase);
    }

    /** What the training loops measured: tokens a second of training (forward and backward). */
    void trainingSpeed(double tokensPerSecond) {
        if (tokensPerSecond > 0 && Double.isFinite(tokensPerSecond)) {
            trainingTokensPerSecond = tokensPerSecond;
        }
    }

    /** Training tokens a second as last measured (NaN before the first training phase). */
    double trainingTokensPerSecond() {
        return trainingTokensPerSecond;
    }

    double elapsedSeconds() {
        return (clock.getAsLong() - started) / 1e9;
    }

    /** Seconds left of the whole budget (infinite with no budget). */
    double leftSeconds() {
        return limited() ? Math.max(0, totalSeconds - elapsedSeconds()) : Double.POSITIVE_INFINITY;
    }

    /** Seconds held back for the fixed phases still to run (0 before the calibration or with no budget). */
    double reserveSeconds() {
        return limited() && !Double.isNaN(scoring) && !scoreNothing ? scoringsLeft() * scoring * RESERVE_MARGIN : 0;
    }

    /** The fixed phases still to run that score validation outputs. */
    private int scoringsLeft() {
        int stages = (int) fixed.stream().filter(p -> p.startsWith(STAGE)).count();
        return fixed.size() - (scoreIntermediate ? 0 : Math.max(0, stages - 1));
    }

    /**
     * Plans the scorings of validation outputs from a probe: a short decode that took {@code secondsPerToken} a token.
     * A scoring of the first n validation plans is estimated at the sum of their outputs' longest lengths
     * ({@code tokenCaps}, in order) at that pace, an upper bound (outputs end sooner, and a batch decodes them
     * together). When the baseline and every stage scoring all of them would take more than {@link #SCORING_SHARE}
     * of the budget, only the last stage is scored (the one {@code --deploy} judges); if that is still too much,
     * fewer plans; and if not even one fits, none: the run then has no validation figures (and {@code --deploy} no
     * evidence), which it says. Returns how many plans each scoring decodes.
     */
    int planScoring(double secondsPerToken, List<Integer> tokenCaps) {
        decodeSecondsPerToken = secondsPerToken;
        int max = tokenCaps.size();
        scoredItems = max;
        if (!limited() || max == 0) {
            return max;
        }
        double allowed = SCORING_SHARE * totalSeconds;
        // The baseline still to score (its phase has begun, so fixed no longer holds it) and the phases after it.
        if ((fixed.size() + 1) * scoringCost(tokenCaps, max, secondsPerToken) <= allowed) {
            return max;
        }
        scoreIntermediate = false;
        int scorings = scoringsLeft() + 1;
        int n = max;
        while (n > 0 && scorings * scoringCost(tokenCaps, n, secondsPerToken) > allowed) {
            n--;
        }
        scoredItems = n;
        scoreNothing = n == 0;
        return n;
    }

    private static double scoringCost(List<Integer> tokenCaps, int n, double secondsPerToken) {
        return tokenCaps.subList(0, n).stream().mapToInt(Integer::intValue).sum() * secondsPerToken;
    }

    /** Whether no validation output is scored in this run (not even one fitted its share of the budget). */
    boolean scoresNothing() {
        return scoreNothing;
    }

    /**
     * Whether the stage phase just begun scores its validation outputs: always, but for the stages before the last
     * when {@link #planScoring} found no time for them, and none when it found no time for any.
     */
    boolean scoresStage() {
        return !scoreNothing && (scoreIntermediate || fixed.stream().noneMatch(p -> p.startsWith(STAGE)));
    }

    /** Starts a declared phase: its share of the time left (infinite with no budget). */
    Share begin(String phase) {
        if (fixed.remove(phase)) {
            if (phase.startsWith(STAGE) && !scoresStage()) {
                // A stage written without scoring its outputs: a few seconds, nothing reserved.
                return new Share(phase, limited() ? 0 : Double.POSITIVE_INFINITY, clock.getAsLong(), false, false);
            }
            // Its measured cost; before any measurement, the time left is not shared out (it takes what it needs).
            double seconds = !limited() ? Double.POSITIVE_INFINITY
                    : Double.isNaN(scoring) ? leftSeconds() : scoring * RESERVE_MARGIN;
            return new Share(phase, seconds, clock.getAsLong(), true, !Double.isNaN(scoring));
        }
        Double weight = pending.remove(phase);
        if (weight == null) {
            throw new IllegalStateException("phase " + phase + " was not planned (or began twice)");
        }
        double rest = pending.values().stream().mapToDouble(Double::doubleValue).sum();
        double seconds = limited() ? Math.max(0, leftSeconds() - reserveSeconds()) * weight / (weight + rest)
                : Double.POSITIVE_INFINITY;
        return new Share(phase, seconds, clock.getAsLong(), false, true);
    }

    /** Records a phase that was not shared out, with the time it took. */
    void record(String phase, double seconds) {
        spent.add(new PhaseTime(phase, null, seconds, null));
    }

    /** The rule, the budget and each phase's planned and used seconds so far. */
    Report report() {
        return new Report(totalSeconds / 60, limited() ? RULE : "no time budget: the phases' step counts bound the run",
                List.copyOf(spent), elapsedSeconds());
    }

    /**
     * Where the time went, in one line: each phase's seconds (and its share when it had one that it missed by more
     * than a tenth), then the total against the budget.
     */
    String summary() {
        StringBuilder sb = new StringBuilder("time:");
        for (PhaseTime p : spent) {
            sb.append(' ').append(p.phase()).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f s", p.usedSeconds()));
            if (p.plannedSeconds() != null) {
                double planned = p.plannedSeconds();
                if (Math.abs(p.usedSeconds() - planned) > 0.1 * planned + 2) {
                    sb.append(String.format(Locale.ROOT, " (of %.0f)", planned));
                }
            }
            if (p.note() != null) {
                sb.append(" [").append(p.note()).append(']');
            }
            sb.append(',');
        }
        sb.setLength(sb.length() - 1);
        sb.append(String.format(Locale.ROOT, "; %.1f of %s min", elapsedSeconds() / 60,
                limited() ? String.format(Locale.ROOT, "%.1f", totalSeconds / 60) : "unbounded"));
        return sb.toString();
    }

    /**
     * The C-DPO step count: the one given ({@code --dpo-steps}), or with a time budget and none given, as many as the
     * phase's time holds (the loop fits them to it) but at most {@code maxPasses} passes over the pairs, so that a
     * long budget on few pairs does not learn the pairs instead of the contrast.
     */
    static int dpoSteps(int given, boolean limited, int pairs, int pairsPerStep, int maxPasses) {
        if (given > 0 || !limited) {
            return given > 0 ? given : 30;
        }
        return Math.max(1, (int) Math.ceil((double) maxPasses * pairs / Math.max(1, pairsPerStep)));
    }

    static final String SCORED_TOKENS_RULE = "twice the reference's tokens + 16";

    /** The most tokens a scored validation output may have: {@link #SCORED_TOKENS_RULE}. */
    static int scoredTokens(int referenceTokens) {
        return 2 * referenceTokens + 16;
    }

    /** Seconds a forward pass over {@code tokens} takes: a third of a training pass's (0 before one is measured). */
    double forwardSeconds(long tokens) {
        return Double.isNaN(trainingTokensPerSecond) ? 0 : tokens / (3 * trainingTokensPerSecond);
    }

    /** {@code n} of the items, spread evenly over them in their order (all of them when n is not fewer). */
    static <T> List<T> spread(List<T> items, int n) {
        if (n >= items.size()) {
            return items;
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(items.get((int) ((long) i * items.size() / n)));
        }
        return out;
    }

    /** Records the time since the last phase ended (or the run started) as a phase: loading, planning. */
    void mark(String phase) {
        double now = elapsedSeconds();
        record(phase, now - lastMark);
        lastMark = now;
    }

    /** The tokens a pair's two sequences hold (the prompt once with each side). */
    static long pairTokens(List<dev.penwright.trainer.dpo.DpoPair> pairs) {
        return pairs.stream().mapToLong(p -> 2L * p.prompt().length + p.chosen().length + p.rejected().length).sum();
    }

    /** One phase's time. */
    final class Share {
        private final String phase;
        private final double seconds;
        private final long start;
        private final boolean fixedPhase;
        /** Whether {@link #seconds} was planned (a fixed phase before any measurement just takes what it needs). */
        private final boolean planned;
        private String note;
        private double sampledAt;
        private int sampledSequences;
        private double perSequence = Double.NaN;

        private Share(String phase, double seconds, long start, boolean fixedPhase, boolean planned) {
            this.phase = phase;
            this.seconds = seconds;
            this.start = start;
            this.fixedPhase = fixedPhase;
            this.planned = planned;
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
            return (clock.getAsLong() - start) / 1e9;
        }

        double left() {
            return Math.max(0, seconds - used());
        }

        /** Whether {@code fraction} of the share is spent (never with no budget). */
        boolean spent(double fraction) {
            return limited() && used() >= seconds * fraction;
        }

        /**
         * The C-DPO pairs the phase can afford to score: the reference's log-probabilities and the margin after
         * training are two forward passes over them, which must stay within {@code fraction} of the time left (at
         * the training speed last measured). An even spread of them when not all fit (at least two); all of them
         * with no budget.
         */
        List<dev.penwright.trainer.dpo.DpoPair> affordablePairs(List<dev.penwright.trainer.dpo.DpoPair> pairs,
                                                                double fraction) {
            if (!limited() || Double.isNaN(trainingTokensPerSecond) || pairs.isEmpty()) {
                return pairs;
            }
            double perPair = forwardSeconds(pairTokens(pairs)) / pairs.size();
            int n = (int) Math.floor(fraction * left() / Math.max(1e-9, 2 * perPair));
            return spread(pairs, Math.max(Math.min(2, pairs.size()), n));
        }

        /**
         * Whether the time left holds {@code steps} training steps of {@code tokensPerStep} tokens at the training
         * speed last measured (always with no budget or no measurement): a loop takes its first steps whatever its
         * share, and one step took two minutes on a loaded machine.
         */
        boolean affordsSteps(int steps, int tokensPerStep) {
            return !limited() || Double.isNaN(trainingTokensPerSecond)
                    || left() >= steps * (double) tokensPerStep / trainingTokensPerSecond;
        }

        /** Seconds of the share left for C-DPO's steps: the time left less the margin pass that follows them. */
        double dpoTrainingSeconds(List<dev.penwright.trainer.dpo.DpoPair> pairs) {
            return limited() ? Math.max(5, left() - forwardSeconds(pairTokens(pairs))) : 0;
        }

        /**
         * Whether sampling {@code sequences} more texts fits in {@code fraction} of the share: at the pace of this
         * phase's last sampling, or before any at the pace of the validation scoring (texts of full length, so an
         * overestimate). Call it before each chunk of sampling; always true with no budget. A chunk started near the
         * end of its part once ran minutes past it on a loaded machine: the check is of the chunk's end, not its start.
         */
        boolean affordsSampling(double fraction, int sequences) {
            if (!limited()) {
                return true;
            }
            double now = used();
            if (sampledSequences > 0) {
                perSequence = (now - sampledAt) / sampledSequences;
            }
            double pace = !Double.isNaN(perSequence) ? perSequence
                    : !Double.isNaN(scoring) && scoredItems > 0 ? scoring / scoredItems
                    // A sampled text is at most half a training sequence (128 tokens by default), and a chunk's texts
                    // are decoded together (counted here as twice as fast as one by one).
                    : !Double.isNaN(decodeSecondsPerToken) ? decodeSecondsPerToken * SAMPLED_TOKENS / 2 : 0;
            if (now + pace * sequences > fraction * seconds) {
                sampledSequences = 0;
                return false;
            }
            sampledAt = now;
            sampledSequences = sequences;
            return true;
        }

        /** A word on why the phase used less or more than its share, for the summary and the report. */
        void note(String why) {
            note = why;
        }

        /**
         * Notes why a training loop stopped, when it was not its time running out: an early stop (the validation
         * loss stopped falling) or its step count (given, or a few passes over C-DPO's pairs).
         */
        void stopped(String reason) {
            if ("early-stop".equals(reason)) {
                note("early stop: the validation loss stopped falling");
            } else if ("steps".equals(reason) && limited() && left() > 0.1 * seconds) {
                note("its step count ran out first");
            }
        }

        /**
         * Ends the phase. A fixed phase's time becomes the estimate of those still to run, less {@code oneOff}
         * seconds of work only it did.
         */
        void end(double oneOff) {
            spent.add(new PhaseTime(phase, limited() && planned ? seconds : null, used(), note));
            lastMark = elapsedSeconds();
            if (fixedPhase) {
                scoring = Math.max(0, used() - oneOff);
            }
        }

        void end() {
            end(0);
        }
    }
}
