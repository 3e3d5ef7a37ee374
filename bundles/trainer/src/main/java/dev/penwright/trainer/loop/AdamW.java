package dev.penwright.trainer.loop;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * AdamW (Loshchilov &amp; Hutter): Adam moments with bias correction and weight decay applied to the weights
 * directly, not through the gradient. Written on NDArrays because DJL's {@code Adam} folds weight decay into the
 * gradient (L2, not decoupled) and keeps its moments in private maps keyed by parameter id, which a checkpoint
 * cannot save or restore; here the moments are named NDArrays that go into the checkpoint as they are.
 *
 * <p>Updates happen in place, outside any gradient collector, so the model keeps reading the same arrays.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long t;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public static AdamW defaults(double weightDecay) {
        return new AdamW(0.9, 0.999, 1e-8, weightDecay);
    }

    public long stepCount() {
        return t;
    }

    /**
     * One update of every parameter from its gradient.
     *
     * @param decay which parameters get weight decay (matrices, not norms or biases)
     */
    public void step(Map<String, NDArray> params, Map<String, Boolean> decay, double lr, NDManager manager) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (var e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            NDArray mi = m.computeIfAbsent(e.getKey(), k -> detached(manager.zeros(p.getShape()), manager));
            NDArray vi = v.computeIfAbsent(e.getKey(), k -> detached(manager.zeros(p.getShape()), manager));
            mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
            // In place through a detached alias of the same storage: threads other than the one DJL initialised
            // run with PyTorch's grad mode on, where an in-place change of a leaf that requires grad is refused.
            NDArray w = p.stopGradient();
            if (weightDecay > 0 && decay.getOrDefault(e.getKey(), false)) {
                w.muli((float) (1 - lr * weightDecay));
            }
            NDArray update = mi.div((float) c1).divi(vi.div((float) c2).sqrt().addi((float) eps)).muli((float) lr);
            w.subi(update);
            update.close();
            w.close();
            g.close();
        }
    }

    /** Moments outlive the caller's NDScope: they belong to the manager until the run ends. */
    private static NDArray detached(NDArray a, NDManager manager) {
        ai.djl.ndarray.NDScope.unregister(a);
        a.attach(manager);
        return a;
    }

    /** The moments by name ({@code m.NAME}, {@code v.NAME}), for a checkpoint. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a));
        v.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    /** Restores moments and the step count saved by {@link #state()}. */
    public void restore(Map<String, NDArray> state, long steps) {
        m.clear();
        v.clear();
        state.forEach((k, a) -> {
            if (k.startsWith("m.")) {
                m.put(k.substring(2), a);
            } else if (k.startsWith("v.")) {
                v.put(k.substring(2), a);
            } else {
                throw new IllegalArgumentException("optimiser state has an unknown tensor " + k);
            }
        });
        t = steps;
    }
}
