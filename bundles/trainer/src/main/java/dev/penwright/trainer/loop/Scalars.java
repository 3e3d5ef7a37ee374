package dev.penwright.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * 0-d arrays for arithmetic that a backward pass reads. DJL's {@code mul(Number)} and friends wrap the number in a
 * Java-backed array and close it at once; torch keeps only a pointer into that buffer, which the GC may free before
 * the backward reads it. {@code full} makes torch allocate (and own) the memory.
 */
public final class Scalars {
    private Scalars() {
    }

    public static NDArray of(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }
}
