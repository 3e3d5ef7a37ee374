package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.training.TrainingAccess;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.Rng;

/** LoRA dropout: where it acts (the adapter's input h, as PEFT), and that it is off at 0 and in evaluation. */
class DropoutTest {
    @TempDir
    Path tmp;

    private static long[][] ids(LanguageModel model) {
        long[] a = model.encode(Tiny.TEXTS.get(0));
        long[] b = model.encode(Tiny.TEXTS.get(1));
        int t = Math.min(a.length, b.length);
        return new long[][] {java.util.Arrays.copyOf(a, t), java.util.Arrays.copyOf(b, t)};
    }

    private static float[] logits(LanguageModel model, long[][] ids, LoraAdapter adapter, double dropout, long seed) {
        try (NDScope scope = new NDScope()) {
            adapter.invalidate();
            return TrainingAccess.logits(model, ids, adapter, dropout, new Random(seed)).toFloatArray();
        }
    }

    private static float[] plain(LanguageModel model, long[][] ids, LoraAdapter adapter) {
        try (NDScope scope = new NDScope()) {
            adapter.invalidate();
            return model.logits(ids, adapter).toFloatArray();
        }
    }

    @Test
    void zeroDropoutAndEvaluationAreThePlainForwardPass() throws Exception {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 3);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 5, false);
            long[][] ids = ids(model);
            float[] none = plain(model, ids, adapter);
            assertArrayEquals(none, logits(model, ids, adapter, 0.0, 1), "dropout 0");
            float[] dropped = logits(model, ids, adapter, 0.5, 1);
            assertTrue(maxDiff(none, dropped) > 1e-4, "dropout 0.5 in training changes the logits");

            // The task's evaluation pass (no RNG) ignores its dropout: the same loss as a task without one.
            List<Example> ex = List.of(new Example("x", model.encode(Tiny.TEXTS.get(2)), 3));
            Batch batch = Batch.of(ex, 0);
            double withDropout;
            double without;
            try (NDScope scope = new NDScope()) {
                withDropout = new LoraTask(model, adapter, 0.5, manager).lossSum(batch, null).getFloat();
                without = new LoraTask(model, adapter, 0.0, manager).lossSum(batch, null).getFloat();
            }
            assertEquals(without, withDropout, 0.0);
            double training;
            try (NDScope scope = new NDScope()) {
                training = new LoraTask(model, adapter, 0.5, manager).lossSum(batch, new Rng(9)).getFloat();
            }
            assertTrue(Math.abs(training - without) > 1e-5, "training pass drops: " + training + " vs " + without);
        }
    }

    /**
     * Float rounding of a null adapter's B·A·x: the two equal rows of A need not give bit-equal products (on an
     * AVX-512 host they differ in the last bits, 1.05e-5 on the logits), a hundredth of the control's 1e-3.
     */
    private static final double ROUNDING = 1e-4;

    /**
     * Every module's A has two equal rows and its B the columns b and −b, so B·A·x = 0 for any x. Dropout on the
     * adapter's input h keeps that (B·A·(m ⊙ h) = 0 whatever the mask), so the logits equal the base model's;
     * dropout on the rank activations h·A would drop the two equal entries independently and change them.
     */
    @Test
    void dropoutActsOnTheAdaptersInput() throws Exception {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 4);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(2, 2, LoraConfig.MODULES), 6, false);
            long[][] ids = ids(model);
            float[] base = base(model, ids);
            // Control: with B = (b, b) the adapter is not null, and dropout (wherever it acts) changes the logits
            // by far more than float rounding; that is the size of effect the null adapter must not show.
            pairUp(adapter, 1f);
            float[] noDrop = plain(model, ids, adapter);
            assertTrue(maxDiff(noDrop, logits(model, ids, adapter, 0.5, 1)) > 1e-3, "control adapter: dropout shows");
            pairUp(adapter, -1f);
            assertTrue(maxDiff(base, plain(model, ids, adapter)) < ROUNDING, "B·A = 0: "
                    + maxDiff(base, plain(model, ids, adapter)));
            for (long seed = 1; seed <= 3; seed++) {
                float[] dropped = logits(model, ids, adapter, 0.5, seed);
                assertTrue(maxDiff(base, dropped) < ROUNDING, "seed " + seed + ": " + maxDiff(base, dropped));
            }
        }
    }

    /** Every A: the same random row twice; every B: the columns b and sign·b (same random draws each call). */
    private static void pairUp(LoraAdapter adapter, float sign) {
        Random rnd = new Random(11);
        for (var e : adapter.tensors().entrySet()) {
            NDArray p = e.getValue();
            long rows = p.getShape().get(0);
            long cols = p.getShape().get(1);
            float[] v = new float[(int) (rows * cols)];
            if (e.getKey().endsWith("lora_A.weight")) {
                for (int c = 0; c < cols; c++) {
                    float x = (float) (0.3 * rnd.nextGaussian());
                    v[c] = x;
                    v[(int) cols + c] = x;
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    float x = (float) (0.3 * rnd.nextGaussian());
                    v[r * 2] = x;
                    v[r * 2 + 1] = sign * x;
                }
            }
            p.set(v);
        }
        adapter.invalidate();
    }

    private static float[] base(LanguageModel model, long[][] ids) {
        try (NDScope scope = new NDScope()) {
            return model.logits(ids, null).toFloatArray();
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
