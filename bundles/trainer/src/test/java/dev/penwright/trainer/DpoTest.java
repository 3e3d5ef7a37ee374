package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
