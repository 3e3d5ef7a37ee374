package dev.penwright.engine.internal;

/**
 * The fused LoRA projections, by which a layer's outputs are shifted.
 * The delta for input h is {@code (h · at) · bt}: at = [in, R] is the concatenation of the A^T of every module of the
 * group, bt = [R, out] the block-placed scale·B^T, so a fused q/k/v projection gets its LoRA delta in two matmuls.
 */
public enum LoraGroup {
    QKV, O, GATE_UP, DOWN;

    public static final int COUNT = values().length;
}
