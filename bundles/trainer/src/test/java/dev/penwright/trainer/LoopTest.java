package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.FullTask;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;

class LoopTest {
    @TempDir
    Path tmp;

    static List<Example> examples(LanguageModel model, List<String> texts, int lossFrom) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            out.add(new Example("t" + i, model.encode(texts.get(i)), lossFrom));
        }
        return out;
    }

    static LoopConfig config(int steps) {
        return new LoopConfig(steps, 0, 1e-2, 2, 0.1, 0.01, 1.0, 2, 64, 2, 4, 0, 4, 7L);
    }

    @Test
    void loraLossFalls() throws IOException {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 1);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 3, true);
            List<Example> ex = examples(model, Tiny.TEXTS, 4);
            TrainingResult r = new TrainingLoop(new LoraTask(model, adapter, 0.05, manager), config(30), ex,
                    ex.subList(0, 2), 0, tmp.resolve("ck"), "job", "sft", null, null).run(false);
            assertEquals(30, r.steps());
            assertTrue(r.lastLoss() < 0.6 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
            assertTrue(r.bestValLoss() < r.history().evals.get(0).loss() + 1e-9);
        }
    }

    @Test
    void fullParameterLossFalls() throws IOException {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 1);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            List<Example> ex = examples(model, Tiny.TEXTS, 1);
            TrainingResult r = new TrainingLoop(new FullTask(model, manager), config(25), ex, List.of(), 0,
                    tmp.resolve("ck"), "job", "base", null, null).run(false);
            assertTrue(r.lastLoss() < 0.6 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
        }
    }

    /** Kill a run between checkpoints, resume it, and compare with a run that was never interrupted. */
    @Test
    void resumeAfterKillGivesTheSameWeights() throws IOException {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 1);
        Map<String, float[]> straight = loraRun(dir, tmp.resolve("a"), false, -1);
        RuntimeException kill = assertThrows(RuntimeException.class,
                () -> loraRun(dir, tmp.resolve("b"), false, 10));
        assertEquals("killed at step 10", kill.getMessage());
        Map<String, float[]> resumed = loraRun(dir, tmp.resolve("b"), true, -1);
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
        }
    }

    private static Map<String, float[]> loraRun(Path modelDir, Path out, boolean resume, int killAt) throws IOException {
        try (LanguageModel model = LanguageModel.load(modelDir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 3, true);
            List<Example> ex = examples(model, Tiny.TEXTS, 4);
            new TrainingLoop(new LoraTask(model, adapter, 0.1, manager), config(16), ex, ex.subList(0, 2), 0,
                    out, "job", "sft", p -> {
                        if (p.step() == killAt && p.message().isEmpty()) {
                            throw new IllegalStateException("killed at step " + killAt);
                        }
                    }, null).run(resume);
                        Map<String, float[]> w = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : adapter.tensors().entrySet()) {
                w.put(e.getKey(), e.getValue().toFloatArray());
            }
            return w;
        }
    }

    /**
     * Training on one text and validating on others overfits: the validation loss turns up. The run must end with
     * the weights of its best validated step (seen live through the progress callback), not the last ones.
     */
    @Test
    void endsWithTheBestValidatedWeights() throws IOException {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 2, 1);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(8, 32, LoraConfig.MODULES), 3, true);
            List<Example> train = examples(model, Tiny.TEXTS.subList(0, 1), 1);
            List<Example> val = examples(model, Tiny.TEXTS.subList(1, 6), 1);
            Map<Integer, Map<String, float[]>> seen = new java.util.HashMap<>();
            LoopConfig c = new LoopConfig(40, 0, 5e-2, 1, 1.0, 0.0, 0, 1, 512, 8, 2, 0, 0, 5L);
            TrainingResult r = new TrainingLoop(new LoraTask(model, adapter, 0.0, manager), c, train, val, 0,
                    tmp.resolve("ck"), "job", "sft", p -> {
                        if (p.message().isEmpty()) {
                            seen.put((int) p.step(), weights(adapter));
                        }
                    }, null).run(false);
            History.EvalPoint best = r.history().evals.stream()
                    .min(java.util.Comparator.comparingDouble(History.EvalPoint::loss)).orElseThrow();
            double last = r.history().evals.get(r.history().evals.size() - 1).loss();
            assertTrue(best.step() < 40 && last > best.loss() + 1e-3, "the validation loss must turn up: " + r.history().evals);
            assertEquals(best.step(), r.keptStep());
            assertEquals(best.loss(), r.bestValLoss(), 1e-9);
            Map<String, float[]> end = weights(adapter);
            for (String k : end.keySet()) {
                assertArrayEquals(seen.get(best.step()).get(k), end.get(k), k);
            }
            // And the kept weights give the best validation loss again.
            TrainingLoop check = new TrainingLoop(new LoraTask(model, adapter, 0.0, manager), c, train, val, 0,
                    tmp.resolve("ck2"), "job", "sft", null, null);
            assertEquals(best.loss(), check.validate(), 1e-5);
        }
    }

    private static Map<String, float[]> weights(LoraAdapter adapter) {
        Map<String, float[]> w = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : adapter.tensors().entrySet()) {
            w.put(e.getKey(), e.getValue().toFloatArray());
        }
        return w;
    }
}
