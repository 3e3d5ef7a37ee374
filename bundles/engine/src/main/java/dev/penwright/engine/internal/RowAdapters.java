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
 * projections; with several (or some rows without any) their A's are concatenated along the rank, their B's stacked,
 * and a per-row mask keeps each row on its own adapter's ranks. Built when the batch's make-up changes, not a step.
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
                List<NDArray> as = new ArrayList<>();
                List<NDArray> bs = new ArrayList<>();
                int[] from = new int[distinct.size()];
                int[] to = new int[distinct.size()];
                int total = 0;
                for (int d = 0; d < distinct.size(); d++) {
                    NDArray a = distinct.get(d).fusedA(l, gi);
                    from[d] = total;
                    if (a != null) {
                        as.add(a);
                        bs.add(distinct.get(d).fusedB(l, gi));
                        total += (int) a.getShape().get(1);
                    }
                    to[d] = total;
                }
                if (as.isEmpty()) {
                    continue;
                }
                float[] m = new float[rows.size() * total];
                for (int row = 0; row < rows.size(); row++) {
                    LoraAdapter a = rows.get(row);
                    if (a != null) {
                        int d = index.get(a);
                        for (int j = from[d]; j < to[d]; j++) {
                            m[row * total + j] = 1f;
                        }
                    }
                }
                NDArray cat = as.size() == 1 ? as.get(0) : r.own(NDArrays.concat(new NDList(as.toArray(NDArray[]::new)), 1));
                NDArray bcat = bs.size() == 1 ? bs.get(0) : r.own(NDArrays.concat(new NDList(bs.toArray(NDArray[]::new)), 0));
                r.at[l][gi] = cat;
                r.bt[l][gi] = bcat;
                r.mask[l][gi] = r.own(manager.create(m, new Shape(rows.size(), 1, total)));
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
