package dev.penwright.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.penwright.api.generate.GenerationOptions;

class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.9f, -0.5f, 0.3f, -3f, 1.0f};

    @Test
    void greedyAndRepetitionPenaltyAsHfDoes() {
        GenerationOptions greedy = new GenerationOptions(1, 0.0, 0, 1.0, 1.0, 0L, List.of());
        assertEquals(0, Sampler.choose(LOGITS, 0, 6, greedy, Set.of(), new SplittableRandom(1)));
        // Penalty 1.2 divides the positive logit of token 0 (2.0 -> 1.667) below token 1 (1.9).
        GenerationOptions penalised = new GenerationOptions(1, 0.0, 0, 1.0, 1.2, 0L, List.of());
        assertEquals(1, Sampler.choose(LOGITS, 0, 6, penalised, Set.of(0), new SplittableRandom(1)));
        // A negative logit is multiplied: token 2 (-0.5 -> -0.6) stays below token 3.
        float[] neg = {-0.5f, -0.55f};
        assertEquals(1, Sampler.choose(neg, 0, 2, penalised, Set.of(0), new SplittableRandom(1)));
        assertEquals(Math.log(Math.exp(2.0) / sum()), Sampler.logprob(LOGITS, 0, 6, 0), 1e-6);
    }

    @Test
    void topKAndTopPLimitTheDraw() {
        assertArrayEquals(new int[] {0, 1, 5}, Sampler.topIndices(toDouble(LOGITS), 3));
        Set<Integer> seen = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(7);
        GenerationOptions k2 = new GenerationOptions(1, 1.0, 2, 1.0, 1.0, 0L, List.of());
        for (int i = 0; i < 300; i++) {
            seen.add(Sampler.choose(LOGITS, 0, 6, k2, Set.of(), rng));
        }
        assertEquals(Set.of(0, 1), seen);
        // p(0)=0.39, p(1)=0.35: top_p 0.5 keeps both, top_p 0.3 only the first.
        seen.clear();
        GenerationOptions p3 = new GenerationOptions(1, 1.0, 0, 0.3, 1.0, 0L, List.of());
        for (int i = 0; i < 100; i++) {
            seen.add(Sampler.choose(LOGITS, 0, 6, p3, Set.of(), rng));
        }
        assertEquals(Set.of(0), seen);
        seen.clear();
        GenerationOptions p5 = new GenerationOptions(1, 1.0, 0, 0.5, 1.0, 0L, List.of());
        for (int i = 0; i < 300; i++) {
            seen.add(Sampler.choose(LOGITS, 0, 6, p5, Set.of(), rng));
        }
        assertEquals(Set.of(0, 1), seen);
        // A full draw reaches tokens outside the top two.
        seen.clear();
        GenerationOptions all = new GenerationOptions(1, 1.0, 0, 1.0, 1.0, 0L, List.of());
        for (int i = 0; i < 2000; i++) {
            seen.add(Sampler.choose(LOGITS, 0, 6, all, Set.of(), rng));
        }
        assertTrue(seen.size() >= 5, seen.toString());
    }

    private static double sum() {
        double s = 0;
        for (float f : LOGITS) {
            s += Math.exp(f);
        }
        return s;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
