package dev.penwright.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelConfig;

/**
 * Keys and values of every layer for a fixed number of row slots ([slots, kvHeads, headDim, capacity] for keys,
 * [slots, kvHeads, capacity, headDim] for values), written
 * in place (no concatenation a step). Rows may hold different lengths; the forward pass masks what lies past a
 * row's length. Capacity doubles when a row needs more, up to the model's context length.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final ModelConfig config;
    private final int slots;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int capacity;

    public KvCache(NDManager parent, ModelConfig config, int slots, int initialCapacity) {
        this.manager = parent.newSubManager();
        this.config = config;
        this.slots = slots;
        this.capacity = Math.max(1, Math.min(initialCapacity, config.maxPositions()));
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = fresh(capacity, true);
            values[l] = fresh(capacity, false);
        }
    }

    /** Keys are stored transposed, [slots, kv, hd, cap], values [slots, kv, cap, hd]. */
    private NDArray fresh(int cap, boolean transposed) {
        NDArray a = manager.zeros(transposed ? new Shape(slots, config.numKvHeads(), config.headDim(), cap)
                : new Shape(slots, config.numKvHeads(), cap, config.headDim()));
        // The cache outlives any forward pass: keep it out of the caller's scope.
        NDScope.unregister(a);
        return a;
    }

    public int slots() {
        return slots;
    }

    public int capacity() {
        return capacity;
    }

    public NDArray keys(int layer) {
        return keys[layer];
    }

    public NDArray values(int layer) {
        return values[layer];
    }

    /** Grows (by doubling) so that every slot can hold {@code length} positions. */
    public void ensureCapacity(int length) {
        if (length <= capacity) {
            return;
        }
        int cap = capacity;
        while (cap < length) {
            cap *= 2;
        }
        cap = Math.min(cap, config.maxPositions());
        NDIndex old = new NDIndex().addAllDim().addAllDim().addSliceDim(0, capacity);
        NDIndex oldT = new NDIndex().addAllDim().addAllDim().addAllDim().addSliceDim(0, capacity);
        for (int l = 0; l < keys.length; l++) {
            NDArray k = fresh(cap, true);
            k.set(oldT, keys[l]);
            keys[l].close();
            keys[l] = k;
            NDArray v = fresh(cap, false);
            v.set(old, values[l]);
            values[l].close();
            values[l] = v;
        }
        capacity = cap;
    }

    /** Copies the first {@code length} positions of slot {@code from} into slot {@code to} (compacting the batch). */
    public void moveSlot(int from, int to, int length) {
        if (from == to || length == 0) {
            return;
        }
        NDIndex src = new NDIndex().addSliceDim(from, from + 1).addAllDim().addSliceDim(0, length);
        NDIndex dst = new NDIndex().addSliceDim(to, to + 1).addAllDim().addSliceDim(0, length);
        NDIndex srcT = new NDIndex().addSliceDim(from, from + 1).addAllDim().addAllDim().addSliceDim(0, length);
        NDIndex dstT = new NDIndex().addSliceDim(to, to + 1).addAllDim().addAllDim().addSliceDim(0, length);
        try (NDScope scope = new NDScope()) {
            for (int l = 0; l < keys.length; l++) {
                keys[l].set(dstT, keys[l].get(srcT));
                values[l].set(dst, values[l].get(src));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
