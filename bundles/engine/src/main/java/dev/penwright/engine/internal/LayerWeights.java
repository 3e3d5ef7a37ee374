package dev.penwright.engine.internal;

import ai.djl.ndarray.NDArray;

/**
 * One decoder layer's weights, with q/k/v fused into one matrix and gate/up into another: one matmul instead of
 * three (two) per layer, which matters because a decode step is bound by per-operation overhead, not arithmetic.
 * Row blocks: {@code wqkv} = [q; k; v] (HF order), {@code wGateUp} = [gate; up].
 */
public record LayerWeights(NDArray inputNorm, NDArray wqkv, NDArray bqkv, NDArray wo, NDArray postNorm,
                           NDArray wGateUp, NDArray wDown) {
}
