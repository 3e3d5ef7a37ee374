package dev.penwright.engine.internal;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

import dev.penwright.api.generate.GenerationOptions;

/**
 * Picks the next token from one row's logits, in HF's order: repetition penalty, the plan-copy bias, then (unless
 * greedy) temperature, top-k, top-p, and a draw from the row's own seeded generator (so a row's text does not depend
 * on its batch).
 *
 * <p>With a {@link CopyAwareState} that restricts tokens (fact guard, coverage-gated end), the mask is applied lazily
 * to the final (top-k/top-p) distribution: draw, and if the token is not allowed, take it out and draw again from the
 * renormalised rest, which is exactly a draw from the masked distribution, and costs one check per draw instead of
 * one per vocabulary entry. After {@value #LAZY_TRIES} refusals the kept tokens are masked all at once; when none of
 * them is allowed, the draw is from the allowed tokens of the whole temperature-scaled distribution; when no token at
 * all is allowed (a tokenizer that cannot finish the word), from the unmasked one. Greedy takes the best allowed token.
 */
public final class Sampler {
    private Sampler() {
    }

    /** log-softmax of the raw logits at {@code token}, in double. */
    public static double logprob(float[] logits, int off, int vocab, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return logits[off + token] - max - Math.log(sum);
    }

    /** Greedy with no repetition penalty: the next token is the raw logits' argmax (the device can find it). */
    public static boolean isArgmax(GenerationOptions o) {
        return o.isGreedy() && (o.repetitionPenalty() == null || o.repetitionPenalty() == 1.0);
    }

    /** Draws refused one by one before the whole kept set is masked at once. */
    static final int LAZY_TRIES = 8;

    public static int choose(float[] logits, int off, int vocab, GenerationOptions o, Set<Integer> seen,
                             SplittableRandom rng) {
        return choose(logits, off, vocab, o, seen, rng, null);
    }

    /** @param copy the row's copy-aware state, or null when copy-aware decoding is off */
    public static int choose(float[] logits, int off, int vocab, GenerationOptions o, Set<Integer> seen,
                             SplittableRandom rng, CopyAwareState copy) {
        if (isArgmax(o) && copy == null) {
            // Greedy without a penalty: the argmax of the raw logits, read in place (no copy of the vocabulary).
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[off + i] > logits[off + best]) {
                    best = i;
                }
            }
            return best;
        }
        double[] s = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            s[i] = logits[off + i];
        }
        double penalty = o.repetitionPenalty() == null ? 1.0 : o.repetitionPenalty();
        if (penalty != 1.0) {
            for (int id : seen) {
                if (id >= 0 && id < vocab) {
                    s[id] = s[id] < 0 ? s[id] * penalty : s[id] / penalty;
                }
            }
        }
        if (copy != null) {
            copy.addCopyBias(s);
        }
        boolean masked = copy != null && copy.restricts();
        double temperature = o.temperature() == null ? 1.0 : o.temperature();
        if (temperature <= 0 && masked) {
            return bestAllowed(s, copy);
        }
        if (temperature <= 0) {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (s[i] > s[best]) {
                    best = i;
                }
            }
            return best;
        }
        for (int i = 0; i < vocab; i++) {
            s[i] /= temperature;
        }
        int k = o.topK() == null || o.topK() <= 0 ? vocab : Math.min(o.topK(), vocab);
        int[] order = topIndices(s, k);
        double max = s[order[0]];
        double[] p = new double[order.length];
        double sum = 0;
        for (int i = 0; i < order.length; i++) {
            p[i] = Math.exp(s[order[i]] - max);
            sum += p[i];
        }
        double topP = o.topP() == null ? 1.0 : o.topP();
        int keep = order.length;
        if (topP < 1.0) {
            // Keep the smallest prefix whose mass reaches top_p (at least one token), as HF's TopPLogitsWarper does.
            double cum = 0;
            for (int i = 0; i < order.length; i++) {
                cum += p[i] / sum;
                if (cum >= topP) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += p[i];
        }
        if (!masked) {
            double u = rng.nextDouble() * mass;
            for (int i = 0; i < keep; i++) {
                u -= p[i];
                if (u <= 0) {
                    return order[i];
                }
            }
            return order[keep - 1];
        }
        for (int attempt = 0; attempt < LAZY_TRIES && mass > 0; attempt++) {
            int i = draw(p, keep, mass, rng);
            if (copy.allows(order[i])) {
                return order[i];
            }
            mass -= p[i];
            p[i] = 0;
        }
        mass = 0;
        for (int i = 0; i < keep; i++) {
            if (p[i] > 0 && !copy.allows(order[i])) {
                p[i] = 0;
            }
            mass += p[i];
        }
        if (mass > 0) {
            return order[draw(p, keep, mass, rng)];
        }
        // Nothing in the nucleus is allowed: the allowed tokens of the whole distribution.
        double[] all = new double[vocab];
        double total = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            top = Math.max(top, s[i]);
        }
        for (int i = 0; i < vocab; i++) {
            if (copy.allows(i)) {
                all[i] = Math.exp(s[i] - top);
                total += all[i];
            }
        }
        if (total > 0) {
            return draw(all, vocab, total, rng);
        }
        return order[draw(p0(order, s, keep), keep, Double.NaN, rng)];
    }

    /** The unmasked kept distribution again, for the rare dead end where no token at all is allowed. */
    private static double[] p0(int[] order, double[] s, int keep) {
        double[] p = new double[keep];
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(s[order[i]] - s[order[0]]);
        }
        return p;
    }

    /** Index of a draw from weights {@code p[0..n)} summing to {@code mass} (NaN: sum them here). */
    private static int draw(double[] p, int n, double mass, SplittableRandom rng) {
        if (Double.isNaN(mass)) {
            mass = 0;
            for (int i = 0; i < n; i++) {
                mass += p[i];
            }
        }
        double u = rng.nextDouble() * mass;
        int last = 0;
        for (int i = 0; i < n; i++) {
            if (p[i] <= 0) {
                continue;
            }
            last = i;
            u -= p[i];
            if (u <= 0) {
                return i;
            }
        }
        return last;
    }

    /** Greedy under the mask: the best allowed token, checked best first; if none is allowed, the best of all. */
    private static int bestAllowed(double[] s, CopyAwareState copy) {
        int vocab = s.length;
        boolean[] refused = new boolean[vocab];
        for (int attempt = 0; attempt < LAZY_TRIES; attempt++) {
            int best = -1;
            for (int i = 0; i < vocab; i++) {
                if (!refused[i] && (best < 0 || s[i] > s[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            if (copy.allows(best)) {
                return best;
            }
            refused[best] = true;
        }
        int best = -1;
        for (int i = 0; i < vocab; i++) {
            if (!refused[i] && (best < 0 || s[i] > s[best]) && copy.allows(i)) {
                best = i;
            }
        }
        if (best >= 0) {
            return best;
        }
        best = 0;
        for (int i = 1; i < vocab; i++) {
            if (s[i] > s[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The k highest scores' indices, best first (ties: lower index first). */
    static int[] topIndices(double[] s, int k) {
        int n = s.length;
        // Sort keys: order-preserving bits of the float score (descending) in the high word, the index in the low one.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits((float) -s[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            keys[i] = ((long) bits << 32) | i;
        }
        if (k < n / 8) {
            // Bounded selection: keep the k smallest keys in a max-heap, without sorting the whole vocabulary.
            java.util.PriorityQueue<Long> heap = new java.util.PriorityQueue<>(k + 1, java.util.Comparator.reverseOrder());
            for (long key : keys) {
                if (heap.size() < k) {
                    heap.add(key);
                } else if (key < heap.peek()) {
                    heap.poll();
                    heap.add(key);
                }
            }
            keys = heap.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(keys);
        int m = Math.min(k, keys.length);
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }
}
