package dev.penwright.evaluators;

import java.util.Arrays;
import java.util.Locale;

/**
 * A BLEU score on sacrebleu's 0-100 scale with what it was computed from.
 *
 * @param score      BLEU, 0 to 100
 * @param precisions the (smoothed) n-gram precisions in percent, order 1 first
 * @param bp         the brevity penalty
 * @param stats      the summed statistics
 * @param signature  how it was computed, sacrebleu style
 */
public record BleuScore(double score, double[] precisions, double bp, BleuStats stats, String signature) {
    public BleuScore {
        precisions = precisions.clone();
    }

    @Override
    public double[] precisions() {
        return precisions.clone();
    }

    /** sacrebleu's one-line report, such as {@code BLEU = 22.33 60.0/33.3/14.3/8.3 (BP = 1.000 ...)}. */
    public String verbose() {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < precisions.length; i++) {
            p.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.1f", precisions[i]));
        }
        double ratio = stats.refLen() == 0 ? 0 : (double) stats.hypLen() / stats.refLen();
        return String.format(Locale.ROOT, "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                score, p, bp, ratio, stats.hypLen(), stats.refLen());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BleuScore s && Double.compare(score, s.score) == 0 && Arrays.equals(precisions, s.precisions)
                && Double.compare(bp, s.bp) == 0 && stats.equals(s.stats) && signature.equals(s.signature);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(score) * 31 + stats.hashCode();
    }

    @Override
    public String toString() {
        return verbose() + " [" + signature + "]";
    }
}
