package dev.penwright.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelConfig;

/**
 * What a pass needs to know about positions: the rotary tables (with the config's rope scaling) and the attention
 * masks (causal, and for sliding-window layers also hiding keys more than {@code sliding_window - 1} positions back).
 * Built once a model: per-position cos/sin rows, the identity and rotate-half matrices, key indices; per-step tables
 * are then gathered and combined on the device, because creating large arrays from Java each step is far slower
 * than a few tensor operations.
 */
final class Positions {
    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray cosTable;
    private final NDArray sinTable;
    private final NDArray identity;
    private final NDArray rotate;
    private final NDArray keyIndex;

    Positions(ModelConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        int hd = config.headDim();
        int half = hd / 2;
        float[] invFreq = config.ropeScaling().inverseFrequencies(config.ropeTheta(), hd);
        int maxPos = config.maxPositions();
        // Queries and keys each carry headDim^-1/4 of the attention scale (see Transformer's class comment).
        double scale = Math.pow(hd, -0.25);
        float[] cos = new float[maxPos * hd];
        float[] sin = new float[maxPos * hd];
        for (int p = 0; p < maxPos; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * invFreq[j];
                cos[p * hd + j] = cos[p * hd + j + half] = (float) (Math.cos(angle) * scale);
                sin[p * hd + j] = sin[p * hd + j + half] = (float) (Math.sin(angle) * scale);
            }
        }
        float[] eye = new float[hd * hd];
        float[] rot = new float[hd * hd];
        for (int j = 0; j < half; j++) {
            eye[j * hd + j] = 1f;
            eye[(j + half) * hd + j + half] = 1f;
            rot[(j + half) * hd + j] = -1f; // (x·R)[j] = -x[j + half]
            rot[j * hd + j + half] = 1f;    // (x·R)[j + half] = x[j]
        }
        float[] keys = new float[maxPos];
        for (int p = 0; p < maxPos; p++) {
            keys[p] = p;
        }
        this.cosTable = manager.create(cos, new Shape(maxPos, hd));
        this.sinTable = manager.create(sin, new Shape(maxPos, hd));
        this.identity = manager.create(eye, new Shape(hd, hd));
        this.rotate = manager.create(rot, new Shape(hd, hd));
        this.keyIndex = manager.create(keys, new Shape(maxPos));
        NDScope.unregister(cosTable, sinTable, identity, rotate, keyIndex);
    }

    /**
     * One-token steps: index 0 is the rotation matrix M, [B, hd, hd], with x·M = x·cos + rotate_half(x)·sin
     * (M = I·cos + R·sin, column-wise). Longer passes: index 1 and 2 are cos and sin, [B, T, 1, hd]. All carry
     * headDim^-1/4, half the attention scale.
     */
    NDArray[] ropeTables(int[] starts, int b, int t) {
        long[] pos = new long[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                pos[r * t + i] = starts[r] + i;
            }
        }
        int hd = config.headDim();
        NDArray p = manager.create(pos);
        if (t > 1) {
            NDArray cos = cosTable.get(new NDIndex("{}", p)).reshape(b, t, 1, hd);
            NDArray sin = sinTable.get(new NDIndex("{}", p)).reshape(b, t, 1, hd);
            return new NDArray[] {null, cos, sin};
        }
        NDArray cos = cosTable.get(new NDIndex("{}", p)).reshape(b, 1, hd);
        NDArray sin = sinTable.get(new NDIndex("{}", p)).reshape(b, 1, hd);
        return new NDArray[] {identity.mul(cos).add(rotate.mul(sin))};
    }

    /**
     * The masks of one pass: index 0 for full-attention layers, index 1 for sliding-window layers (null when the
     * model has none). A mask is null when it would hide nothing: a one-token step whose rows all stand at the same
     * position sees every cached key, and within the window a windowed layer does too.
     */
    NDArray[] masks(int[] starts, int b, int t, int keyLen, boolean cached) {
        boolean oneStep = cached && t == 1 && sameStart(starts);
        NDArray full = oneStep ? null : mask(starts, b, t, keyLen, !cached, 0);
        NDArray windowed = null;
        int window = config.slidingWindow();
        if (window > 0) {
            windowed = oneStep && starts[0] < window ? null : mask(starts, b, t, keyLen, !cached, window);
        }
        return new NDArray[] {full, windowed};
    }

    /**
     * Additive mask [B, 1, 1, T, S] ([B, 1, 1, S] for one token): query i of row r (at position p = start_r + i, or
     * i without a cache) sees key j when j <= p and, with a window W, j > p - W (HF's sliding-window overlay).
     */
    private NDArray mask(int[] starts, int b, int t, int keyLen, boolean noCache, int window) {
        float[] last = new float[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                last[r * t + i] = noCache ? i : starts[r] + i;
            }
        }
        NDArray limit = manager.create(last, new Shape(b, t, 1));
        NDArray keys = keyIndex.get(new NDIndex().addSliceDim(0, keyLen));
        NDArray hidden = keys.gt(limit);
        if (window > 0) {
            hidden = hidden.logicalOr(keys.lte(limit.sub((float) window)));
        }
        // -1e30, not -inf: the masked probabilities underflow to exactly 0 and 0·x never makes a NaN.
        NDArray mask = hidden.toType(DataType.FLOAT32, false).mul(-1e30f);
        return t == 1 ? mask.reshape(b, 1, 1, keyLen) : mask.reshape(b, 1, 1, t, keyLen);
    }

    private static boolean sameStart(int[] starts) {
        for (int s : starts) {
            if (s != starts[0]) {
                return false;
            }
        }
        return true;
    }
}
