package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

/** What {@link TrainingLoop} trains: a set of live parameters and a differentiable loss on a batch. */
public interface TrainTask {
    /** The trainable parameters under stable names; the loop attaches gradients and updates them in place. */
    Map<String, NDArray> parameters();

    /** Whether a parameter gets weight decay (matrices do, norms and biases do not). */
    default boolean decays(String name, NDArray parameter) {
        return parameter.getShape().dimension() >= 2;
    }

    /**
     * The summed negative log-likelihood of the batch's target tokens, a scalar in the caller's scope.
     *
     * @param rng the stream for dropout during training, or null for evaluation (no dropout)
     */
    NDArray lossSum(Batch batch, Rng rng);

    /**
     * One micro-batch's forward and backward under {@code collector}: adds the gradients of
     * {@code lossSum(batch, rng) / divisor} to the parameters and returns that value. A task may do it its own way
     * (activation recomputation), as long as the gradients are the same.
     */
    default double backward(Batch batch, Rng rng, double divisor, GradientCollector collector) {
        NDArray l = lossSum(batch, rng).div(Scalars.of(manager(), divisor));
        collector.backward(l);
        return l.getFloat();
    }

    /** Called after every optimiser step (an adapter drops its cached fused projections). */
    default void updated() {
    }

    /** Writes the trained weights (a PEFT adapter or a model folder) into {@code dir}. */
    void saveResult(Path dir) throws IOException;

    NDManager manager();
}
