package dev.penwright.trainer.loop;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Length-bucketed batches: examples sorted by length and cut into batches of at most {@code maxTokens} padded
 * tokens (and {@code maxRows} rows), so little compute goes to padding; the order of the batches is shuffled per
 * epoch from the epoch number and seed alone, so a resumed run finds the same batch at the same position.
 */
public final class Batches {
    private final List<List<Example>> groups;
    private final long seed;
    private final long padId;

    public Batches(List<Example> examples, int maxTokens, int maxRows, long seed, long padId) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        List<Example> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparingInt((Example e) -> e.ids().length).thenComparing(Example::id));
        groups = new ArrayList<>();
        List<Example> current = new ArrayList<>();
        int width = 0;
        for (Example e : sorted) {
            int w = Math.max(width, e.ids().length - 1);
            if (!current.isEmpty() && (w * (current.size() + 1) > maxTokens || current.size() >= maxRows)) {
                groups.add(current);
                current = new ArrayList<>();
                w = e.ids().length - 1;
            }
            current.add(e);
            width = w;
        }
        groups.add(current);
        this.seed = seed;
        this.padId = padId;
    }

    public int perEpoch() {
        return groups.size();
    }

    /** The {@code index}-th batch of epoch {@code epoch}. */
    public Batch get(int epoch, int index) {
        return Batch.of(groups.get(order(epoch)[index]), padId);
    }

    private int[] order(int epoch) {
        int n = groups.size();
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        Rng rng = new Rng(seed * 31 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** Every batch once, in length order (validation). */
    public List<Batch> all() {
        return groups.stream().map(g -> Batch.of(g, padId)).toList();
    }
}
