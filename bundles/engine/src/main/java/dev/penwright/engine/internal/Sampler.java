package dev.penwright.engine.internal;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

import dev.penwright.api.generate.GenerationOptions;

/**
 * Picks the next token from one row's logits, in HF's order: repetition penalty, then (unless greedy) temperature,
 * top-k, top-p, and a draw from the row's own seeded generator (so a row's text does not depend on its batch).
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

    public static int choose(float[] logits, int off, int vocab, GenerationOptions o, Set<Integer> seen,
                             SplittableRandom rng) {
        if (isArgmax(o)) {
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
        double temperature = o.temperature() == null ? 1.0 : o.temperature();
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
        double u = rng.nextDouble() * mass;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
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
