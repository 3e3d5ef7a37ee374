package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.penwright.engine.LoraAdapter;
import dev.penwright.trainer.dpo.Dpo;
import dev.penwright.trainer.dpo.DpoPair;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.LossChart;

/**
 * C-DPO: the adapter learns to prefer, for the same plan, an output that keeps the plan's facts over one that
 * invents, drops or contradicts them. The reference is the adapter as the phase starts (S-SFT or self-improved),
 * frozen; the pairs and its log-probabilities are saved with the phase's checkpoints, so a resumed phase does not
 * rebuild them.
 */
final class DpoPhase {
    private final StyleRunContext run;

    DpoPhase(StyleRunContext run) {
        this.run = run;
    }

    StyleReports.DpoFigures run() throws IOException {
        Budget.Share share = run.budget.begin("dpo");
        StyleReports.DpoFigures figures = train(share);
        share.end();
        return figures;
    }

    private StyleReports.DpoFigures train(Budget.Share share) throws IOException {
        StyleRecipe recipe = run.recipe;
        Path checkpoints = run.out().resolve("checkpoints/dpo");
        Path pairsFile = checkpoints.resolve("pairs.json");
        Dpo dpo = new Dpo(run.model, run.adapter, recipe.dpoBeta(), run.manager);
        Dpo.Prepared prepared = recipe.resume() ? Dpo.loadPairs(pairsFile) : null;
        String resumedFrom = null;
        StyleReports.PairCounts counts = null;
        if (prepared != null) {
            run.control.note("dpo", "resuming C-DPO with the " + prepared.pairs().size()
                    + " pairs and reference log-probabilities saved in " + pairsFile);
            resumedFrom = pairsFile.toString();
        } else {
            // A fresh phase: checkpoints of an earlier run would not match these pairs.
            Dpo.deleteCheckpoints(checkpoints);
            run.control.note("dpo", "building C-DPO pairs");
            DpoPairBuilder.Built built = new DpoPairBuilder(run, share).build();
            counts = built.counts();
            if (built.pairs().isEmpty()) {
                return figures(null, counts, 0, "no pair: no sampled output had unsupported facts and no plan had a"
                        + " figure to alter", null, Double.NaN, Double.NaN, null);
            }
            prepared = new Dpo.Prepared(built.pairs(), reference(dpo, built.pairs()));
            Dpo.savePairs(pairsFile, prepared);
        }
        List<DpoPair> pairs = prepared.pairs();
        Map<String, Integer> sources = new LinkedHashMap<>();
        pairs.forEach(p -> sources.merge(p.source(), 1, Integer::sum));
        double before = dpo.meanMargin(pairs, prepared.reference());
        // Two pairs a step: on a slow CPU a four-pair step took a DPO share of a minute whole.
        Dpo.Outcome outcome = dpo.train(pairs, prepared.reference(), new Dpo.Settings(recipe.dpoSteps(), 2,
                        recipe.loop().learningRate() * 0.25, share.limited() ? Math.max(5, share.left()) : 0,
                        Math.max(1, Math.min(10, recipe.loop().checkpointEvery()))),
                checkpoints, recipe.resume(), run.control.jobId(), run.control.sink(), run.control.cancelFlag());
        double after = dpo.meanMargin(pairs, prepared.reference());
        run.curves.add(new LossChart.Curve("dpo", outcome.history()));
        return figures(resumedFrom, counts, pairs.size(), null, sources, before, after, outcome);
    }

    /**
     * The reference log-probabilities: of the adapter as DPO starts, saved and loaded back as a frozen copy, so the
     * policy's updates cannot reach it.
     */
    private double[][] reference(Dpo dpo, List<DpoPair> pairs) throws IOException {
        Path refDir = run.out().resolve("reference-adapter");
        run.adapter.save(refDir);
        try (LoraAdapter reference = run.model.loadAdapter(refDir)) {
            return dpo.referenceLogProbs(pairs, reference);
        }
    }

    private StyleReports.DpoFigures figures(String resumedFrom, StyleReports.PairCounts c, int pairs, String skipped,
                                            Map<String, Integer> bySource, double before, double after,
                                            Dpo.Outcome outcome) {
        History h = outcome == null ? null : outcome.history();
        boolean losses = h != null && !h.steps.isEmpty();
        return new StyleReports.DpoFigures(run.recipe.dpoBeta(), resumedFrom,
                c == null ? null : c.ownSamplePlans(), c == null ? null : c.ownChosen(),
                c == null ? null : c.originalChosen(), c == null ? null : c.preferenceFile(),
                c == null ? null : c.alteredPlans(), c == null ? null : c.alteredTexts(), pairs, skipped, bySource,
                outcome == null ? null : before, outcome == null ? null : after,
                outcome == null ? null : outcome.steps(), outcome == null ? null : outcome.stopReason(),
                losses ? h.steps.get(0).loss() : null, losses ? h.steps.get(h.steps.size() - 1).loss() : null,
                h == null ? null : StyleReports.losses(h));
    }
}
