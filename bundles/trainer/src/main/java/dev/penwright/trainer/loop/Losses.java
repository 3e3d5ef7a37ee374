package dev.penwright.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Cross-entropy pieces shared by SFT, base training and DPO. */
public final class Losses {
    private Losses() {
    }

    /** log p(target) at every position: logits [B, T, V], targets [B][T] → [B, T]. */
    public static NDArray tokenLogProbs(NDArray logits, long[][] targets, NDManager manager) {
        int b = targets.length;
        int t = targets[0].length;
        long[] flat = new long[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(targets[r], 0, flat, r * t, t);
        }
        NDArray index = manager.create(flat, new Shape(b, t, 1));
        return logits.logSoftmax(-1).gather(index, 2).reshape(b, t);
    }

    public static NDArray mask(float[][] mask, NDManager manager) {
        int b = mask.length;
        int t = mask[0].length;
        float[] flat = new float[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(mask[r], 0, flat, r * t, t);
        }
        return manager.create(flat, new Shape(b, t));
    }

    /** A mask row times {@code factor}: the per-position weights of a weighted log-likelihood. */
    public static float[] scaled(float[] mask, double factor) {
        float[] out = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = (float) (mask[i] * factor);
        }
        return out;
    }

    /** Σ −log p(target) over the masked positions of a batch. */
    public static NDArray nllSum(NDArray logits, Batch batch, NDManager manager) {
        NDArray lp = tokenLogProbs(logits, batch.targets(), manager);
        return lp.mul(mask(batch.mask(), manager)).sum().neg();
    }
}
