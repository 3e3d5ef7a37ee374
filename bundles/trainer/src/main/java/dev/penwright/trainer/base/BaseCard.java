package dev.penwright.trainer.base;

import java.util.List;
import java.util.Map;

import dev.penwright.trainer.loop.TrainingResult;

/**
 * The figures a model card quotes, as its table rows say them (validation per corpus: nats per token and
 * perplexity, and the change from the init model in a continued stage).
 */
final class BaseCard {
    private BaseCard() {
    }

    static BaseReport.Card of(TrainingResult r, double flopsPerSecond, int trainTexts, int trainSequences,
                              String planner, Map<String, BaseReport.CorpusFigures> before,
                              Map<String, BaseReport.CorpusFigures> after, BaseRecipe recipe) {
        String training = String.format("%d optimiser steps in %.0f minutes (%s), %.2f M tokens seen, %.0f tokens/s,"
                        + " ≈%.1f GFLOP/s (6·params per token)", r.steps(), r.seconds() / 60, r.stopReason(),
                r.trainedTokens() / 1e6, r.tokensPerSecond(), flopsPerSecond / 1e9);
        String data = String.format("%d training texts, %d sequences%s", trainTexts, trainSequences,
                recipe.planMix() > 0 ? String.format(", %.0f%% of them plan→text (planner %s)%s",
                        100 * recipe.planMix(), planner == null ? "" : planner,
                        recipe.balance() ? ", corpora balanced" : "")
                        : recipe.balance() ? ", corpora balanced" : "");
        StringBuilder val = new StringBuilder();
        after.forEach((name, figures) -> {
            for (String kind : List.of("raw", "plan")) {
                BaseReport.Figures f = kind.equals("raw") ? figures.raw() : figures.plan();
                if (f == null) {
                    continue;
                }
                if (!val.isEmpty()) {
                    val.append("; ");
                }
                val.append(String.format("%s %s %.3f (ppl %.1f", name, kind.equals("raw") ? "text" : "plan→text",
                        f.loss(), f.perplexity()));
                BaseReport.CorpusFigures b = before == null ? null : before.get(name);
                BaseReport.Figures bf = b == null ? null : kind.equals("raw") ? b.raw() : b.plan();
                if (bf != null) {
                    val.append(String.format(", was %.3f", bf.loss()));
                }
                val.append(')');
            }
        });
        return new BaseReport.Card(training, data, val + " nats/token on the first " + recipe.valTexts()
                + " validation texts of each corpus (raw text: their first " + recipe.valTexts() + " pieces of "
                + recipe.seqLen() + " tokens at most)");
    }
}
