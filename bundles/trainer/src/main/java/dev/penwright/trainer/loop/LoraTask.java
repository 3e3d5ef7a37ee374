package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.training.TrainingAccess;

/** LoRA training: only the adapter's A and B (PEFT names) learn; the base model stays frozen. */
public final class LoraTask implements TrainTask {
    private final LanguageModel model;
    private final LoraAdapter adapter;
    private final double dropout;
    private final NDManager manager;
    /**
     * A micro-batch whose plain training graph would hold more than this many bytes recomputes its activations layer
     * by layer instead ({@link TrainingAccess#recomputedBackward}): same gradients, a third more arithmetic.
     */
    private final long graphBudget;

    /** The graph budget of style training: larger steps recompute (see {@link TrainingAccess#GRAPH_BUDGET}). */
    public static final long DEFAULT_GRAPH_BUDGET = TrainingAccess.GRAPH_BUDGET;

    /** A task whose steps always keep their whole graph. */
    public LoraTask(LanguageModel model, LoraAdapter adapter, double dropout, NDManager manager) {
        this(model, adapter, dropout, manager, Long.MAX_VALUE);
    }

    /** A task whose steps recompute activations when a plain step's graph would exceed {@code graphBudget} bytes. */
    public LoraTask(LanguageModel model, LoraAdapter adapter, double dropout, NDManager manager, long graphBudget) {
        this.model = model;
        this.adapter = adapter;
        this.dropout = dropout;
        this.manager = manager;
        this.graphBudget = graphBudget;
    }

    /** Whether a step on {@code batch} recomputes its activations. */
    public boolean recomputes(Batch batch) {
        long[][] in = batch.inputs();
        return TrainingAccess.plainStepBytes(model, in.length, in.length == 0 ? 0 : in[0].length) > graphBudget;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return adapter.tensors();
    }

    @Override
    public NDArray lossSum(Batch batch, Rng rng) {
        // The adapter caches its fused projections; rebuild them here so that a training pass records them in the
        // gradient graph (a cache made during validation would cut A and B out of it).
        adapter.invalidate();
        if (rng == null && recomputes(batch)) {
            // Evaluation in the bounded memory of a recomputed step (no [B, T, V] logits at once).
            double[] rows = TrainingAccess.recomputedBackward(model, batch.inputs(), batch.targets(),
                    weights(batch, -1), adapter, 0, null, null);
            return Scalars.of(manager, java.util.Arrays.stream(rows).sum());
        }
        NDArray logits = rng == null ? model.logits(batch.inputs(), adapter)
                : TrainingAccess.logits(model, batch.inputs(), adapter, dropout, rng.fork());
        return Losses.nllSum(logits, batch, manager);
    }

    @Override
    public double backward(Batch batch, Rng rng, double divisor, GradientCollector collector) {
        if (rng == null || !recomputes(batch)) {
            return TrainTask.super.backward(batch, rng, divisor, collector);
        }
        // The objective is Σ weight · log p(target): weight −mask/divisor makes it the loss the plain path takes.
        double[] rows = TrainingAccess.recomputedBackward(model, batch.inputs(), batch.targets(),
                weights(batch, -1 / divisor), adapter, dropout, rng.fork(), collector);
        return java.util.Arrays.stream(rows).sum();
    }

    /** The batch's mask times {@code factor}. */
    static float[][] weights(Batch batch, double factor) {
        float[][] mask = batch.mask();
        float[][] out = new float[mask.length][];
        for (int r = 0; r < mask.length; r++) {
            out[r] = Losses.scaled(mask[r], factor);
        }
        return out;
    }

    @Override
    public void updated() {
        adapter.invalidate();
    }

    @Override
    public void saveResult(Path dir) throws IOException {
        adapter.save(dir);
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
