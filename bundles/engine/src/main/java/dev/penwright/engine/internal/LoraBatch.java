package dev.penwright.engine.internal;

import ai.djl.ndarray.NDArray;

/**
 * The LoRA projections that apply to the rows of one forward pass. {@link #mask} is null when every row uses the
 * same adapter; otherwise it is [B, 1, R] with ones on the ranks of each row's own adapter, so one batch can mix
 * adapters (and rows with none) in the same two matmuls.
 */
public interface LoraBatch {
    LoraBatch NONE = new LoraBatch() {
        @Override
        public NDArray at(int layer, LoraGroup group) {
            return null;
        }

        @Override
        public NDArray bt(int layer, LoraGroup group) {
            return null;
        }

        @Override
        public NDArray mask(int layer, LoraGroup group) {
            return null;
        }
    };

    /** [in, R], or null when no row adapts this projection. */
    NDArray at(int layer, LoraGroup group);

    /** [R, out], the LoRA scale already folded in. */
    NDArray bt(int layer, LoraGroup group);

    NDArray mask(int layer, LoraGroup group);

    /**
     * The rank activations [B, T, R] of the group's input h: {@code h · at}. Training overrides it to apply LoRA
     * dropout to h itself, one mask per module, as PEFT's {@code lora_B(lora_A(dropout(h)))} does.
     */
    default NDArray low(int layer, LoraGroup group, NDArray h, NDArray at) {
        return h.matMul(at);
    }
}
