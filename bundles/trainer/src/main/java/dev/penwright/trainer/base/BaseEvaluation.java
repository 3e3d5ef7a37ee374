package dev.penwright.trainer.base;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDScope;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Batches;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.FullTask;

/** A base model's validation figures, per corpus: raw text, and plan→text where the run has plan sequences. */
final class BaseEvaluation {
    private final FullTask task;
    private final BaseRecipe recipe;
    private final long pad;

    BaseEvaluation(FullTask task, BaseRecipe recipe, long pad) {
        this.task = task;
        this.recipe = recipe;
        this.pad = pad;
    }

    Map<String, BaseReport.CorpusFigures> perCorpus(Map<String, PlanMixer.Mix> valSets) {
        Map<String, BaseReport.CorpusFigures> out = new LinkedHashMap<>();
        valSets.forEach((name, m) -> out.put(name, new BaseReport.CorpusFigures(
                m.raw().isEmpty() ? null : evaluate(m.raw()), m.plan().isEmpty() ? null : evaluate(m.plan()),
                m.raw().isEmpty() ? "no text of this corpus falls in the validation split" : null)));
        return out;
    }

    /** Mean loss per target token of {@code examples}, without dropout and without recording gradients. */
    BaseReport.Figures evaluate(List<Example> examples) {
        double sum = 0;
        long targets = 0;
        for (Batch b : new Batches(examples, recipe.loop().maxBatchTokens(), recipe.loop().maxBatchRows(),
                recipe.loop().seed(), pad).all()) {
            try (NDScope scope = new NDScope()) {
                sum += task.lossSum(b, null).getFloat();
                targets += b.targetTokens();
            }
        }
        double loss = sum / Math.max(1, targets);
        return new BaseReport.Figures(loss, Math.exp(loss), examples.size(), targets);
    }
}
