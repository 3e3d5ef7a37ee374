package dev.penwright.trainer.loop;

import java.util.List;

/**
 * Examples of similar length, right-padded to the longest. The model reads {@code inputs} (each sequence without
 * its last token) and is scored on {@code targets} (each sequence shifted by one) where {@code mask} is 1. Right
 * padding is safe in a causal model: no real position attends to a pad that comes after it.
 */
public record Batch(List<String> ids, long[][] inputs, long[][] targets, float[][] mask, int targetTokens,
                    int tokens) {
    public static Batch of(List<Example> examples, long padId) {
        int width = 0;
        for (Example e : examples) {
            width = Math.max(width, e.ids().length - 1);
        }
        int b = examples.size();
        long[][] in = new long[b][width];
        long[][] out = new long[b][width];
        float[][] mask = new float[b][width];
        int targets = 0;
        int tokens = 0;
        for (int r = 0; r < b; r++) {
            Example e = examples.get(r);
            long[] ids = e.ids();
            java.util.Arrays.fill(in[r], padId);
            java.util.Arrays.fill(out[r], padId);
            for (int i = 0; i < ids.length - 1; i++) {
                in[r][i] = ids[i];
                out[r][i] = ids[i + 1];
                if (i + 1 >= e.lossFrom()) {
                    mask[r][i] = 1f;
                    targets++;
                }
            }
            tokens += ids.length - 1;
        }
        return new Batch(examples.stream().map(Example::id).toList(), in, out, mask, targets, tokens);
    }
}
