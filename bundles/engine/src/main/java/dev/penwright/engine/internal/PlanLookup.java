package dev.penwright.engine.internal;

import java.util.Arrays;

/**
 * Where a row's generated text ends in a lookup source (the plan, or the prompt when there is no plan), for
 * plan-lookup speculative decoding of a row without copy-aware decoding ({@link CopyAwareState} tracks the same
 * match for the rows that have it). Advanced token by token, O(source length) a token, like the copy-aware state:
 * {@code match[j]} is the length of the longest suffix of the text equal to {@code source[j - m, j)}.
 */
public final class PlanLookup {
    private final int[] source;
    private final int[] match;

    public PlanLookup(long[] source) {
        this.source = new int[source.length];
        for (int i = 0; i < source.length; i++) {
            this.source[i] = (int) source[i];
        }
        this.match = new int[source.length + 1];
    }

    /** Takes the row's next token. */
    public void advance(int token) {
        for (int j = source.length; j >= 1; j--) {
            match[j] = source[j - 1] == token ? match[j - 1] + 1 : 0;
        }
    }

    /**
     * The source's tokens after the longest current match (its first occurrence), at most {@code max}; empty when the
     * text's end matches nothing or the match ends the source. The same rule as {@link CopyAwareState#continuation}.
     */
    public int[] continuation(int max) {
        int bestJ = -1;
        int best = 0;
        for (int j = 1; j < source.length; j++) {
            if (match[j] > best) {
                best = match[j];
                bestJ = j;
            }
        }
        if (bestJ < 0 || max <= 0) {
            return new int[0];
        }
        return Arrays.copyOfRange(source, bestJ, Math.min(source.length, bestJ + max));
    }
}
