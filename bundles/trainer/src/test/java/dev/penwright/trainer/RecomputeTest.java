package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.Rng;

/**
 * Activation recomputation gives the gradients and loss of the plain training step (one graph over the whole pass),
 * with LoRA dropout on: the recomputed layers drop what the first pass dropped.
 */
class RecomputeTest {
    @TempDir
    Path tmp;

    @Test
    void recomputedStepHasThePlainStepsGradients() throws Exception {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 3, 11);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 5, true);
            // B starts at zero in a fresh adapter: give it values so that A's gradients are not all zero.
            for (NDArray p : adapter.tensors().values()) {
                p.addi(manager.randomNormal(p.getShape()).mul(0.05f).toType(p.getDataType(), false));
            }
            adapter.invalidate();
            Batch batch = Batch.of(List.of(new Example("a", model.encode(Tiny.TEXTS.get(0)), 3),
                    new Example("b", model.encode(Tiny.TEXTS.get(1)), 5)), 0);
            for (double dropout : new double[] {0.0, 0.3}) {
                Map<String, float[]> plain = new LinkedHashMap<>();
                double plainLoss = step(new LoraTask(model, adapter, dropout, manager, Long.MAX_VALUE), batch, plain);
                Map<String, float[]> recomputed = new LinkedHashMap<>();
                double recomputedLoss = step(new LoraTask(model, adapter, dropout, manager, 0), batch, recomputed);
                assertEquals(plainLoss, recomputedLoss, 1e-5 * Math.abs(plainLoss), "loss at dropout " + dropout);
                double largest = 0;
                for (var e : plain.entrySet()) {
                    float[] a = e.getValue();
                    float[] b = recomputed.get(e.getKey());
                    for (int i = 0; i < a.length; i++) {
                        largest = Math.max(largest, Math.abs(a[i]));
                        assertEquals(a[i], b[i], 1e-5 + 1e-4 * Math.abs(a[i]), e.getKey() + "[" + i + "] at dropout "
                                + dropout);
                    }
                }
                assertTrue(largest > 1e-4, "the gradients are not all zero: " + largest);
            }
        }
    }

    /** One micro-batch's backward through the task; the parameters' gradients copied out and zeroed. */
    private static double step(LoraTask task, Batch batch, Map<String, float[]> grads) {
        Map<String, NDArray> params = task.parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        double loss;
        try (NDScope scope = new NDScope();
             GradientCollector gc = task.manager().getEngine().newGradientCollector()) {
            loss = task.backward(batch, new Rng(7), batch.targetTokens(), gc);
        }
        for (var e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            grads.put(e.getKey(), g.toFloatArray());
            g.subi(g);
        }
        params.values().forEach(p -> p.setRequiresGradient(false));
        task.updated();
        return loss;
    }
}
