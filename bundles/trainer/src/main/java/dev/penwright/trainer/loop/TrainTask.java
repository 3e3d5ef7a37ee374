package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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

    /** Called after every optimiser step (an adapter drops its cached fused projections). */
    default void updated() {
    }

    /** Writes the trained weights (a PEFT adapter or a model folder) into {@code dir}. */
    void saveResult(Path dir) throws IOException;

    NDManager manager();
}
