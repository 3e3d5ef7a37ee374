package dev.penwright.engine.internal;

import java.util.Arrays;
import java.util.List;

import dev.penwright.engine.SpeculationStats;

/**
 * Plan-lookup speculative decoding for a {@link BatchScheduler}: which draft tokens each row verifies in a step, how
 * long the step's pass is, how each row's acceptance odds follow what its drafts did, and the counts behind
 * {@link SpeculationStats}. Touched only by the thread that steps the scheduler, apart from {@link #setLookahead}.
 */
final class Speculation {
    static final double PASS_FIXED = 1.25;
    static final double PASS_PER_POSITION = 0.02;
    /** How fast a row forgets how its older drafts fared. */
    private static final double DECAY = 0.8;
    /** How fast an unverified row's odds return to even (a step). */
    private static final double RELAX = 0.05;

    /** Draft tokens a row verifies in one pass (0: plain one-token steps); live, read once a step. */
    private volatile int lookahead;
    private long decodeSteps;
    private long speculativeSteps;
    private long drafts;
    private long draftTokens;
    private long acceptedTokens;

    Speculation(int lookahead) {
        setLookahead(lookahead);
    }

    void setLookahead(int lookahead) {
        if (lookahead < 0) {
            throw new IllegalArgumentException("lookahead must be 0 (off) or positive, was " + lookahead);
        }
        this.lookahead = lookahead;
    }

    SpeculationStats stats() {
        return new SpeculationStats(decodeSteps, speculativeSteps, drafts, draftTokens, acceptedTokens);
    }

    /**
     * Each running row's draft for this step (possibly empty), or null for a plain one-token step: speculation is
     * off, no row has a draft, or it does not pay (see {@link #plan}).
     */
    int[][] drafts(List<BatchRow> active, int maxPositions) {
        int k = lookahead;
        if (k <= 0) {
            return null;
        }
        // One pass has one length for every row, so every row's padded positions must fit the model's context.
        int room = Integer.MAX_VALUE;
        for (BatchRow r : active) {
            room = Math.min(room, maxPositions - r.cacheLength - 1);
        }
        int b = active.size();
        int[][] d = new int[b][];
        int rowsWithDraft = 0;
        for (int i = 0; i < b; i++) {
            BatchRow r = active.get(i);
            // A pass yields at most 1 + draft tokens: no more than the row may still write.
            int remaining = r.options.maxNewTokens() - r.ids.size();
            int max = Math.min(k, Math.min(remaining - 1, room));
            d[i] = max <= 0 ? new int[0] : r.draft(max);
            if (d[i].length > 0) {
                rowsWithDraft++;
            }
        }
        return rowsWithDraft > 0 ? plan(active, d) : null;
    }

    static int longest(int[][] drafts) {
        int n = 0;
        for (int[] d : drafts) {
            n = Math.max(n, d.length);
        }
        return n;
    }

    /** A decode pass of {@code t} positions a row ran. */
    void passed(int t) {
        decodeSteps++;
        if (t > 1) {
            speculativeSteps++;
        }
    }

    /** A row's draft of this step, before its positions are walked. */
    void drafted(BatchRow r, int length) {
        if (length > 0) {
            drafts++;
            draftTokens += length;
        } else {
            // Unverified this step: the odds drift back toward even, so a row whose early drafts failed is tried
            // again later (its text may reach a part that copies the plan).
            r.hits += RELAX * (1 - r.hits);
            r.misses += RELAX * (1 - r.misses);
        }
    }

    /** A draft position verified: whether the chosen token was the draft's. */
    void verified(BatchRow r, boolean matched) {
        if (matched) {
            acceptedTokens++;
        }
        r.hits = DECAY * r.hits + (matched ? 1 : 0);
        r.misses = DECAY * r.misses + (matched ? 0 : 1);
    }

    /**
     * Relative cost of a cached pass of {@code t} tokens a row over a one-token step of the same batch, measured on
     * the bench model (d=512, 8 layers; best of 30, 2 cores): 1.25 for T=5 and 1.45 for T=9 at batch 1 (a one-token
     * step is bound by reading the weights, a few more positions ride along), 1.31 / 1.80 / 2.45 for T=2 / 5 / 9 at
     * batch 8 (the matmuls grow with B·T). A longer pass also takes the general path (rotary tables, transposes, a
     * mask) instead of the one-token shortcuts: the fixed quarter.
     */
    static double passCost(int batch, int t) {
        return t == 1 ? 1.0 : PASS_FIXED + PASS_PER_POSITION * batch * (t - 1);
    }

    /**
     * Chooses this step's pass length: the T that maximises expected tokens per unit of cost, a row expecting
     * a + a² + … + a^L accepted tokens from a draft of length L at its acceptance odds a, against
     * {@link #passCost}. A batch whose drafts keep failing falls back to one-token steps (the odds are still
     * updated when a pass verifies them, and a row's prior is even); a row alone with a good draft pays almost
     * always. Drafts are cut to T - 1. @return the drafts for the chosen T, or null for a one-token step
     */
    private static int[][] plan(List<BatchRow> active, int[][] d) {
        int b = d.length;
        int longest = longest(d);
        int bestT = 1;
        double bestRate = b; // a one-token step: b tokens for a cost of 1
        for (int t = 2; t <= longest + 1; t++) {
            double expected = b;
            for (int i = 0; i < b; i++) {
                double a = active.get(i).acceptance();
                double term = 1;
                for (int j = 0; j < Math.min(t - 1, d[i].length); j++) {
                    term *= a;
                    expected += term;
                }
            }
            double rate = expected / passCost(b, t);
            if (rate > bestRate) {
                bestRate = rate;
                bestT = t;
            }
        }
        if (bestT == 1) {
            return null;
        }
        for (int i = 0; i < b; i++) {
            if (d[i].length > bestT - 1) {
                d[i] = Arrays.copyOf(d[i], bestT - 1);
            }
        }
        return d;
    }
}
