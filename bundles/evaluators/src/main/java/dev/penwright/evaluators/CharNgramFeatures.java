package dev.penwright.evaluators;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Hashed character n-gram features of a text: a whitespace run becomes one space, or one or two line breaks when it
 * holds line breaks (a line break, a blank line: layout is part of a style — a wrapped paragraph, a verse, a list, an
 * attribution line — and a single space would hide it), the text is framed by boundary marks, every n-gram of 1..maxN code points is hashed (FNV-1a, stable across JVMs) into 2^bits buckets, counts are
 * damped with log(1 + count) and the vector is scaled to unit length. Characters rather than words, so that the same
 * features work for English and for Chinese, which has no spaces; hashing, so that no vocabulary has to be built or
 * shipped.
 */
public final class CharNgramFeatures {
    /** Texts longer than this are cut: the style of a text shows in its first few thousand characters. */
    static final int MAX_CODE_POINTS = 4000;
    private static final int BOUNDARY = 0x2;

    private final int bits;
    private final int maxN;

    public CharNgramFeatures(int bits, int maxN) {
        if (bits < 8 || bits > 24) {
            throw new IllegalArgumentException("hash bits must be 8..24, got " + bits);
        }
        if (maxN < 1 || maxN > 8) {
            throw new IllegalArgumentException("n-gram order must be 1..8, got " + maxN);
        }
        this.bits = bits;
        this.maxN = maxN;
    }

    public int dimension() {
        return 1 << bits;
    }

    public int maxN() {
        return maxN;
    }

    /** A sparse vector: parallel arrays of bucket indices (ascending) and values. */
    public record Sparse(int[] indices, float[] values) {
    }

    public Sparse extract(String text) {
        int[] cps = normalize(text);
        Map<Integer, Integer> counts = new HashMap<>();
        int mask = dimension() - 1;
        for (int i = 0; i < cps.length; i++) {
            int h = 0x811C9DC5;
            for (int n = 1; n <= maxN && i + n <= cps.length; n++) {
                h = (h ^ cps[i + n - 1]) * 0x01000193;
                // Mix in the order so that, say, a 1-gram and a 2-gram rarely share a bucket by construction.
                int bucket = ((h ^ (n * 0x9E3779B9)) * 0x01000193) & mask;
                counts.merge(bucket, 1, Integer::sum);
            }
        }
        int[] idx = counts.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        float[] val = new float[idx.length];
        double norm = 0;
        for (int k = 0; k < idx.length; k++) {
            double v = Math.log1p(counts.get(idx[k]));
            val[k] = (float) v;
            norm += v * v;
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < val.length; k++) {
                val[k] *= inv;
            }
        }
        return new Sparse(idx, val);
    }

    private static int[] normalize(String text) {
        int[] out = new int[Math.min(text.length(), MAX_CODE_POINTS) + 2];
        int len = 0;
        out[len++] = BOUNDARY;
        boolean space = false;
        int breaks = 0;
        for (int i = 0; i < text.length() && len < out.length - 1; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = true;
                breaks += cp == '\n' ? 1 : 0;
                continue;
            }
            if (space && len > 1) {
                for (int k = 0; k < (breaks == 0 ? 1 : Math.min(breaks, 2)) && len < out.length - 1; k++) {
                    out[len++] = breaks == 0 ? ' ' : '\n';
                }
                if (len >= out.length - 1) {
                    break;
                }
            }
            space = false;
            breaks = 0;
            out[len++] = cp;
        }
        out[len++] = BOUNDARY;
        return Arrays.copyOf(out, len);
    }
}
