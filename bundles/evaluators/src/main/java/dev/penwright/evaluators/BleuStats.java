package dev.penwright.evaluators;

import java.util.Arrays;

/**
 * sacrebleu's sufficient statistics of one segment or, summed, of a corpus: hypothesis and reference lengths and,
 * for each n-gram order 1..4, the clipped matches and the hypothesis n-grams.
 */
public record BleuStats(int hypLen, int refLen, int[] correct, int[] total) {
    public BleuStats {
        correct = correct.clone();
        total = total.clone();
        if (correct.length != total.length) {
            throw new IllegalArgumentException("correct and total must have one entry per n-gram order");
        }
    }

    public static BleuStats zero(int maxOrder) {
        return new BleuStats(0, 0, new int[maxOrder], new int[maxOrder]);
    }

    public BleuStats plus(BleuStats o) {
        int[] c = correct.clone();
        int[] t = total.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += o.correct[i];
            t[i] += o.total[i];
        }
        return new BleuStats(hypLen + o.hypLen, refLen + o.refLen, c, t);
    }

    @Override
    public int[] correct() {
        return correct.clone();
    }

    @Override
    public int[] total() {
        return total.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BleuStats s && hypLen == s.hypLen && refLen == s.refLen
                && Arrays.equals(correct, s.correct) && Arrays.equals(total, s.total);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * hypLen + refLen) + 7 * Arrays.hashCode(correct) + Arrays.hashCode(total);
    }

    @Override
    public String toString() {
        return "BleuStats[hyp=" + hypLen + ", ref=" + refLen + ", correct=" + Arrays.toString(correct)
                + ", total=" + Arrays.toString(total) + "]";
    }
}
