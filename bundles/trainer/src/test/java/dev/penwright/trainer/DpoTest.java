package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.trainer.dpo.Dpo;
import dev.penwright.trainer.dpo.DpoPair;
import dev.penwright.trainer.loop.History;

class DpoTest {
    @TempDir
    Path tmp;

    /** One DPO step moves the policy's chosen-over-rejected margin above the reference's (0 before training). */
    @Test
    void oneStepRaisesTheMargin() throws Exception {
        List<String> texts = StyleTrainerTest.corpusTexts();
        Path dir = Tiny.model(tmp.resolve("m"), texts, 32, 2, 9);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter policy = model.createAdapter("p", LoraConfig.of(4, 8, LoraConfig.MODULES), 4, false);
            policy.save(tmp.resolve("ref"));
            List<DpoPair> pairs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String t = texts.get(i);
                String altered = t.replace("Version " + (i + 2), "Version " + (i + 7));
                pairs.add(new DpoPair("p" + i, model.encode(dev.penwright.api.style.PromptTemplate.PLAN + "item " + i + dev.penwright.api.style.PromptTemplate.TEXT),
                        model.encode(t, false), model.encode(altered, false), "altered-text"));
            }
            try (LoraAdapter reference = model.loadAdapter(tmp.resolve("ref"))) {
                Dpo dpo = new Dpo(model, policy, 0.1, manager);
                double[][] ref = dpo.referenceLogProbs(pairs, reference);
                double before = dpo.meanMargin(pairs, ref);
                assertEquals(0.0, before, 1e-3, "policy equals reference before training");
                float[] refA = reference.tensors().values().iterator().next().toFloatArray();
                History h = dpo.train(pairs, ref, 1, 4, 5e-3, "t", null, null);
                double after = dpo.meanMargin(pairs, ref);
                assertEquals(1, h.steps.size());
                assertTrue(after > before + 1e-3, "margin " + before + " -> " + after);
                assertTrue(Math.abs(h.steps.get(0).loss() - Math.log(2)) < 1e-2, "first loss is log 2: " + h.steps.get(0).loss());
                // The reference stays frozen.
                assertTrue(Arrays.equals(refA, reference.tensors().values().iterator().next().toFloatArray()));
            }
        }
    }

    /** A pair recomputed layer by layer (as a large base's are) gives the plain step's loss and gradients. */
    @Test
    void recomputedPairHasThePlainPairsGradients() throws Exception {
        List<String> texts = StyleTrainerTest.corpusTexts();
        Path dir = Tiny.model(tmp.resolve("m"), texts, 32, 2, 9);
        try (LanguageModel model = LanguageModel.load(dir); NDManager manager = NDManager.newBaseManager();
             LoraAdapter policy = model.createAdapter("p", LoraConfig.of(4, 8, LoraConfig.MODULES), 4, true)) {
            for (NDArray p : policy.tensors().values()) {
                p.addi(manager.randomNormal(p.getShape()).mul(0.05f).toType(p.getDataType(), false));
            }
            DpoPair pair = pairs(model, texts).get(1);
            double[] ref = {-40, -38};
            List<float[]> grads = new ArrayList<>();
            double[] losses = new double[2];
            int k = 0;
            for (long budget : new long[] {Long.MAX_VALUE, 0}) {
                policy.tensors().values().forEach(p -> p.setRequiresGradient(true));
                losses[k++] = new Dpo(model, policy, 0.1, manager, budget).accumulate(pair, ref, 2);
                for (NDArray p : policy.tensors().values()) {
                    NDArray g = p.getGradient();
                    grads.add(g.toFloatArray());
                    g.subi(g);
                }
                policy.tensors().values().forEach(p -> p.setRequiresGradient(false));
                policy.invalidate();
            }
            assertEquals(losses[0], losses[1], 1e-5, "loss");
            int half = grads.size() / 2;
            double largest = 0;
            for (int i = 0; i < half; i++) {
                float[] a = grads.get(i);
                float[] b = grads.get(half + i);
                for (int j = 0; j < a.length; j++) {
                    largest = Math.max(largest, Math.abs(a[j]));
                    assertEquals(a[j], b[j], 1e-6 + 1e-4 * Math.abs(a[j]), "gradient " + i + "[" + j + "]");
                }
            }
            assertTrue(largest > 1e-5, "gradients not all zero: " + largest);
        }
    }

    private static List<DpoPair> pairs(LanguageModel model, List<String> texts) {
        List<DpoPair> pairs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String t = texts.get(i);
            String altered = t.replace("Version " + (i + 2), "Version " + (i + 7));
            pairs.add(new DpoPair("p" + i, model.encode(dev.penwright.api.style.PromptTemplate.PLAN + "item " + i
                    + dev.penwright.api.style.PromptTemplate.TEXT), model.encode(t, false),
                    model.encode(altered, false), "altered-text"));
        }
        return pairs;
    }

    /**
     * A DPO phase killed after its step-2 checkpoint and resumed (pairs and reference log-probabilities read back
     * from pairs.json, not recomputed) ends with the weights of a phase that ran straight through.
     */
    @Test
    void resumeAfterKillGivesTheSameWeights() throws Exception {
        List<String> texts = StyleTrainerTest.corpusTexts();
        Path dir = Tiny.model(tmp.resolve("m"), texts, 32, 2, 9);
        Dpo.Settings settings = new Dpo.Settings(6, 2, 5e-3, 0, 2);
        Map<String, float[]> straight = dpoRun(dir, tmp.resolve("a"), settings, false, -1);
        RuntimeException kill = assertThrows(RuntimeException.class,
                () -> dpoRun(dir, tmp.resolve("b"), settings, false, 3));
        assertEquals("killed at step 3", kill.getMessage());
        assertTrue(Files.isRegularFile(tmp.resolve("b/checkpoints/step-00000002/state.json")));
        Map<String, float[]> resumed = dpoRun(dir, tmp.resolve("b"), settings, true, -1);
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
        }
    }

    private static Map<String, float[]> dpoRun(Path modelDir, Path out, Dpo.Settings settings, boolean resume,
                                               int killAt) throws Exception {
        try (LanguageModel model = LanguageModel.load(modelDir); NDManager manager = NDManager.newBaseManager()) {
            LoraAdapter policy = model.createAdapter("p", LoraConfig.of(4, 8, LoraConfig.MODULES), 4, false);
            Dpo dpo = new Dpo(model, policy, 0.1, manager);
            Path pairsFile = out.resolve("checkpoints/pairs.json");
            Dpo.Prepared prepared = resume ? Dpo.loadPairs(pairsFile) : null;
            if (prepared == null) {
                List<DpoPair> pairs = pairs(model, StyleTrainerTest.corpusTexts());
                policy.save(out.resolve("ref"));
                try (LoraAdapter reference = model.loadAdapter(out.resolve("ref"))) {
                    prepared = new Dpo.Prepared(pairs, dpo.referenceLogProbs(pairs, reference));
                }
                Dpo.savePairs(pairsFile, prepared);
                Dpo.Prepared back = Dpo.loadPairs(pairsFile);
                assertEquals(prepared.pairs().size(), back.pairs().size());
                for (int i = 0; i < prepared.pairs().size(); i++) {
                    assertArrayEquals(prepared.pairs().get(i).chosen(), back.pairs().get(i).chosen());
                    assertArrayEquals(prepared.reference()[i], back.reference()[i], 0.0);
                }
            } else {
                assertEquals(5, prepared.pairs().size());
            }
            Dpo.Outcome outcome = dpo.train(prepared.pairs(), prepared.reference(), settings, out.resolve("checkpoints"),
                    resume, "t", p -> {
                        if (p.step() == killAt) {
                            throw new IllegalStateException("killed at step " + killAt);
                        }
                    }, null);
            assertEquals(6, outcome.steps());
            assertEquals(6, outcome.history().steps.size(), "the resumed phase keeps the killed one's losses");
            Map<String, float[]> w = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : policy.tensors().entrySet()) {
                w.put(e.getKey(), e.getValue().toFloatArray());
            }
            return w;
        }
    }
}
