package dev.penwright.engine.internal;

/**
 * The fused LoRA projections, by which a layer's outputs are shifted.
 * The delta for input h is {@code (h · at) · bt}: at = [in, R] is the concatenation of the A^T of every module of the
 * group, bt = [R, out] the block-placed scale·B^T, so a fused q/k/v projection gets its LoRA delta in two matmuls.
 */
public enum LoraGroup {
    QKV, O, GATE_UP, DOWN;

    public static final int COUNT = values().length;

    /** The PEFT module names of the group, in the order their ranks are concatenated in the fused A. */
    public java.util.List<String> modules() {
        return switch (this) {
            case QKV -> java.util.List.of("q_proj", "k_proj", "v_proj");
            case O -> java.util.List.of("o_proj");
            case GATE_UP -> java.util.List.of("gate_proj", "up_proj");
            case DOWN -> java.util.List.of("down_proj");
        };
    }
}
