package dev.penwright.engine.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.LoraAdapter;

/**
 * The adapters of a batch's rows as one {@link LoraBatch}. With one adapter for every row it is that adapter's fused
 * projections ([in, R] and [R, out]); with several (or some rows without any) it is each row's own projections
 * stacked ([B, in, R] and [B, R, out], ranks zero-padded), which the layer applies with batched matmuls, or, for
 * half-precision adapters on a CPU that multiplies BF16 natively, all of them side by side with a mask per row
 * ({@link SideBySide}). Built when the batch's make-up changes, not every step.
 */
public final class RowAdapters implements LoraBatch, AutoCloseable {
    private final int layers;
    private final NDArray[][] at;
    private final NDArray[][] bt;
    private final NDArray[][] mask;
    private final List<NDArray> owned = new ArrayList<>();

    private RowAdapters(int layers) {
        this.layers = layers;
        this.at = new NDArray[layers][LoraGroup.COUNT];
        this.bt = new NDArray[layers][LoraGroup.COUNT];
        this.mask = new NDArray[layers][LoraGroup.COUNT];
    }


    /**
     * As {@link #of(List, int, NDManager)}, except that rows with different half-precision adapters on a CPU that
     * multiplies BF16 natively take every adapter's projections side by side ({@link SideBySide}) from {@code cached}
     * (its adapters must be this batch's, see {@link SideBySide#serves}); only the masks are built here.
     */
    public static LoraBatch of(List<LoraAdapter> rows, int layers, NDManager manager, SideBySide cached) {
        RowAdapters r = new RowAdapters(layers);
        for (int l = 0; l < layers; l++) {
            for (LoraGroup g : LoraGroup.values()) {
                int gi = g.ordinal();
                NDArray a = cached.a[l][gi];
                if (a == null) {
                    continue;
                }
                long total = a.getShape().get(0);
                float[] ones = new float[rows.size() * (int) total];
                for (int row = 0; row < rows.size(); row++) {
                    Integer k = rows.get(row) == null ? null : cached.index.get(rows.get(row));
                    long[] span = k == null ? null : cached.spans[l][gi][k];
                    if (span != null) {
                        java.util.Arrays.fill(ones, row * (int) total + (int) span[0], row * (int) total + (int) span[1], 1f);
                    }
                }
                r.at[l][gi] = a;
                r.bt[l][gi] = cached.b[l][gi];
                try (NDScope scope = new NDScope()) {
                    r.mask[l][gi] = r.own(manager.create(ones, new Shape(rows.size(), 1, total)));
                }
            }
        }
        return r;
    }

    /** Whether rows with these adapters take {@link SideBySide} projections (else {@link #of(List, int, NDManager)}). */
    public static boolean sideBySide(List<LoraAdapter> rows, HalfOps half) {
        if (half == null || !half.packs()) {
            return false;
        }
        boolean anyAdapter = false;
        boolean mixed = false;
        for (LoraAdapter a : rows) {
            if (a != null && !a.isHalf()) {
                return false;
            }
            mixed |= a != rows.get(0);
            anyAdapter |= a != null;
        }
        return mixed && anyAdapter;
    }

    /**
     * Several half-precision adapters' projections side by side: per layer and group, every adapter's A as one packed
     * [R_total, in] matrix and its B as one packed [out, R_total], multiplied like the base weights (oneDNN's BF16
     * inner product); a batch's [B, 1, R_total] mask keeps each row's own ranks (zeros for a row without an adapter).
     * Each row pays for every adapter's ranks (a few MFLOP a step). Against F32 stacks through batched matmuls
     * (Qwen2.5-0.5B shape, 8 different rank-16 adapters, batch 8, 1 thread): 28.6 against 27.4 tok/s, peak RSS 2394
     * against 2613 MB; either way the 192 small products a step cost per call (0.1–0.8 ms each), not bandwidth.
     * Building them (a transposed copy and a reorder of every matrix) takes about 0.3 s for 8 such adapters, so the
     * batch scheduler keeps them while its rows' adapters stay the same set, and rebuilds only the masks when rows
     * come and go.
     */
    public static final class SideBySide implements AutoCloseable {
        private final Map<LoraAdapter, Integer> index = new IdentityHashMap<>();
        private final NDArray[][] a;
        private final NDArray[][] b;
        /** [layer][group][adapter] its columns [start, end) in R_total, or null where it does not adapt the group. */
        private final long[][][][] spans;

        public SideBySide(List<LoraAdapter> rows, int layers, HalfOps half) {
            List<LoraAdapter> distinct = new ArrayList<>();
            for (LoraAdapter adapter : rows) {
                if (adapter != null && !index.containsKey(adapter)) {
                    index.put(adapter, distinct.size());
                    distinct.add(adapter);
                }
            }
            a = new NDArray[layers][LoraGroup.COUNT];
            b = new NDArray[layers][LoraGroup.COUNT];
            spans = new long[layers][LoraGroup.COUNT][distinct.size()][];
            try {
                for (int l = 0; l < layers; l++) {
                    for (int gi = 0; gi < LoraGroup.COUNT; gi++) {
                        NDList as = new NDList();
                        NDList bs = new NDList();
                        long total = 0;
                        try (NDScope scope = new NDScope()) {
                            for (int k = 0; k < distinct.size(); k++) {
                                NDArray at = distinct.get(k).fusedA(l, gi);
                                if (at == null) {
                                    continue;
                                }
                                long rank = at.getShape().get(1);
                                spans[l][gi][k] = new long[] {total, total + rank};
                                total += rank;
                                as.add(at.transpose());
                                bs.add(distinct.get(k).fusedB(l, gi).transpose());
                            }
                            if (total > 0) {
                                a[l][gi] = half.pack(as.size() == 1 ? as.get(0) : NDArrays.concat(as, 0));
                                b[l][gi] = half.pack(bs.size() == 1 ? bs.get(0) : NDArrays.concat(bs, 1));
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Whether {@code adapter}'s projections are among these. */
        public boolean holds(LoraAdapter adapter) {
            return index.containsKey(adapter);
        }

        /** Whether these are the projections of exactly the adapters of {@code rows} (nulls aside). */
        public boolean serves(List<LoraAdapter> rows) {
            java.util.Set<LoraAdapter> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (LoraAdapter adapter : rows) {
                if (adapter != null) {
                    if (!index.containsKey(adapter)) {
                        return false;
                    }
                    seen.add(adapter);
                }
            }
            return seen.size() == index.size();
        }

        @Override
        public void close() {
            java.util.stream.Stream.of(a, b).flatMap(java.util.Arrays::stream).flatMap(java.util.Arrays::stream)
                    .filter(java.util.Objects::nonNull).forEach(NDArray::close);
        }
    }

    /** @param rows each row's adapter, or null for the base model */
    public static LoraBatch of(List<LoraAdapter> rows, int layers, NDManager manager) {
        List<LoraAdapter> distinct = new ArrayList<>();
        Map<LoraAdapter, Integer> index = new IdentityHashMap<>();
        boolean anyNone = false;
        for (LoraAdapter a : rows) {
            if (a == null) {
                anyNone = true;
            } else if (!index.containsKey(a)) {
                index.put(a, distinct.size());
                distinct.add(a);
            }
        }
        if (distinct.isEmpty()) {
            return NONE;
        }
        RowAdapters r = new RowAdapters(layers);
        boolean uniform = distinct.size() == 1 && !anyNone;
        for (int l = 0; l < layers; l++) {
            for (LoraGroup g : LoraGroup.values()) {
                int gi = g.ordinal();
                if (uniform) {
                    r.at[l][gi] = distinct.get(0).fusedA(l, gi);
                    r.bt[l][gi] = distinct.get(0).fusedB(l, gi);
                    continue;
                }
                // Rows with different adapters: stack each row's own projections (ranks zero-padded to the
                // largest, zeros for a row without one), so the layer runs two batched matmuls of rank R_max
                // rather than every row paying for every adapter's ranks.
                int rank = 0;
                for (LoraAdapter a : distinct) {
                    NDArray at = a.fusedA(l, gi);
                    if (at != null) {
                        rank = Math.max(rank, (int) at.getShape().get(1));
                    }
                }
                if (rank == 0) {
                    continue;
                }
                long in = -1;
                long out = -1;
                for (LoraAdapter a : distinct) {
                    NDArray at = a.fusedA(l, gi);
                    if (at != null) {
                        in = at.getShape().get(0);
                        out = a.fusedB(l, gi).getShape().get(1);
                    }
                }
                Map<LoraAdapter, NDArray[]> padded = new IdentityHashMap<>();
                NDArray[] zeros = null;
                NDList atRows = new NDList();
                NDList btRows = new NDList();
                try (NDScope scope = new NDScope()) {
                    for (LoraAdapter a : rows) {
                        NDArray at = a == null ? null : a.fusedA(l, gi);
                        NDArray[] pair;
                        if (at == null) {
                            if (zeros == null) {
                                zeros = new NDArray[] {manager.zeros(new Shape(in, rank)), manager.zeros(new Shape(rank, out))};
                            }
                            pair = zeros;
                        } else {
                            pair = padded.get(a);
                            if (pair == null) {
                                // Stacked in float32 even for an adapter held in half precision: widened once
                                // a batch make-up here rather than at every product of every step (which cost a
                                // batch of 8 different adapters a fifth of its speed on the Qwen2.5-0.5B shape).
                                at = a.widened(at);
                                NDArray bt = a.widened(a.fusedB(l, gi));
                                long r0 = at.getShape().get(1);
                                if (r0 < rank) {
                                    at = NDArrays.concat(new NDList(at, manager.zeros(new Shape(in, rank - r0))), 1);
                                    bt = NDArrays.concat(new NDList(bt, manager.zeros(new Shape(rank - r0, out))), 0);
                                }
                                pair = new NDArray[] {at, bt};
                                padded.put(a, pair);
                            }
                        }
                        atRows.add(pair[0]);
                        btRows.add(pair[1]);
                    }
                    r.at[l][gi] = r.own(NDArrays.stack(atRows, 0));
                    r.bt[l][gi] = r.own(NDArrays.stack(btRows, 0));
                }
            }
        }
        return r;
    }

    private NDArray own(NDArray a) {
        NDScope.unregister(a);
        owned.add(a);
        return a;
    }

    @Override
    public NDArray at(int layer, LoraGroup group) {
        return at[layer][group.ordinal()];
    }

    @Override
    public NDArray bt(int layer, LoraGroup group) {
        return bt[layer][group.ordinal()];
    }

    @Override
    public NDArray mask(int layer, LoraGroup group) {
        return mask[layer][group.ordinal()];
    }

    @Override
    public void close() {
        owned.forEach(NDArray::close);
        owned.clear();
    }

    public int layers() {
        return layers;
    }
}
