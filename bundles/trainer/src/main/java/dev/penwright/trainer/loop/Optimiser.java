package dev.penwright.trainer.loop;

import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * One optimiser step over gradients that the micro-batches' backward passes summed into the parameters: global-norm
 * clipping, the AdamW update, and zeroed gradients for the next step (DJL's PyTorch gradient collector does not zero
 * them).
 */
public final class Optimiser {
    private final AdamW adam;
    private final Map<String, Boolean> decay;
    private final double clipNorm;
    private final NDManager manager;

    /**
     * @param decay    which parameters get weight decay
     * @param clipNorm the global gradient norm above which gradients are scaled down (0: no clipping)
     */
    public Optimiser(AdamW adam, Map<String, Boolean> decay, double clipNorm, NDManager manager) {
        this.adam = adam;
        this.decay = decay;
        this.clipNorm = clipNorm;
        this.manager = manager;
    }

    public AdamW adam() {
        return adam;
    }

    public void step(Map<String, NDArray> params, double lr) {
        try (NDScope scope = new NDScope()) {
            clip(params);
            adam.step(params, decay, lr, manager);
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.subi(g);
                g.close();
            }
        }
    }

    private void clip(Map<String, NDArray> params) {
        if (clipNorm <= 0) {
            return;
        }
        double sq = 0;
        for (NDArray p : params.values()) {
            NDArray g = p.getGradient();
            sq += g.square().sum().getFloat();
            g.close();
        }
        double norm = Math.sqrt(sq);
        if (norm > clipNorm) {
            float scale = (float) (clipNorm / (norm + 1e-6));
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.muli(scale);
                g.close();
            }
        }
    }
}
