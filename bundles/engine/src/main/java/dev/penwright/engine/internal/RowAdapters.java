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
 * stacked ([B, in, R] and [B, R, out], ranks zero-padded), which the layer applies with batched matmuls. Built when
 * the batch's make-up changes, not every step.
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
