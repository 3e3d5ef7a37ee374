package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.penwright.engine.LoraAdapter;
import dev.penwright.trainer.dpo.Dpo;
import dev.penwright.trainer.dpo.DpoPair;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * C-DPO: the adapter learns to prefer, for the same plan, an output that keeps the plan's facts over one that
 * invents, drops or contradicts them. The reference is the adapter as the phase starts (S-SFT or self-improved),
 * frozen; the pairs and its log-probabilities are saved with the phase's checkpoints, so a resumed phase does not
 * rebuild them.
 */
final class DpoPhase {
    /** C-DPO passes over its pairs at most when its steps are fitted to a time budget ({@link Budget#dpoSteps}). */
    static final int MAX_PASSES = 3;

    private final StyleRunContext run;
    /** The training set as the phases before left it, for S-SFT in a share too short for C-DPO. */
    private final List<Example> trainingSet;

    DpoPhase(StyleRunContext run, List<Example> trainingSet) {
        this.run = run;
        this.trainingSet = trainingSet;
    }

    StyleReports.DpoFigures run() throws IOException {
        Budget.Share share = run.budget.begin("dpo");
        StyleReports.DpoFigures figures = train(share);
        int stepTokens = run.recipe.loop().maxBatchTokens() * run.recipe.loop().accumulation();
        // Started when half a step fits, as fitted step counts are rounded: a step is a quarter of a 3-minute budget
        // on a loaded machine, and waiting for a whole one ended such a run 40 s early.
        if (figures.skipped() != null && share.limited() && share.affordsSteps(1, stepTokens / 2)
                && !run.control.cancelled()) {
            // Too short for C-DPO, not for training: the phase's time goes on S-SFT while its validation loss falls
            // (skipped phases' time was lost at the end: a 6-minute run ended at 4.4).
            TrainingResult more = run.train("dpo-sft", trainingSet, 0.1, share);
            figures = figures.withTraining(StyleReports.LoopFigures.of(more, trainingSet.size(),
                    run.valExamples.size()));
            share.note("too short for C-DPO; S-SFT went on");
        }
        share.end();
        return figures;
    }

    private StyleReports.DpoFigures train(Budget.Share share) throws IOException {
        StyleRecipe recipe = run.recipe;
        Path checkpoints = run.out().resolve("checkpoints/dpo");
        Path pairsFile = checkpoints.resolve("pairs.json");
        Dpo dpo = new Dpo(run.model, run.adapter, recipe.dpoBeta(), run.manager);
        // Three steps of two pairs (each pair two sequences of up to --max-tokens) at the training speed measured: a
        // share that does not hold them (a short budget on a loaded machine) is not spent on a phase that cannot
        // train.
        if (!share.affordsSteps(3, 4 * recipe.maxTokens())) {
            String skipped = String.format(Locale.ROOT, "the phase's %.0f s do not hold three C-DPO steps",
                    share.seconds());
            run.control.note("dpo", "skipped: " + skipped);
            share.note("skipped: too short for three steps");
            return figures(null, null, 0, skipped, null, Double.NaN, Double.NaN, null, null);
        }
        Dpo.Prepared prepared = recipe.resume() ? Dpo.loadPairs(pairsFile) : null;
        String resumedFrom = null;
        Integer leftOut = null;
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
                        + " figure to alter", null, Double.NaN, Double.NaN, null, null);
            }
            List<DpoPair> builtPairs = built.pairs();
            List<DpoPair> affordable = share.affordablePairs(builtPairs, 0.3);
            if (affordable.size() < builtPairs.size()) {
                leftOut = builtPairs.size() - affordable.size();
            }
            prepared = new Dpo.Prepared(affordable, reference(dpo, affordable));
            Dpo.savePairs(pairsFile, prepared);
        }
        List<DpoPair> pairs = prepared.pairs();
        Map<String, Integer> sources = new LinkedHashMap<>();
        pairs.forEach(p -> sources.merge(p.source(), 1, Integer::sum));
        // The policy is the reference as a fresh phase starts: their margin is 0, no pass over the pairs needed.
        double before = resumedFrom != null ? dpo.meanMargin(pairs, prepared.reference()) : 0;
        // Two pairs a step: on a slow CPU a four-pair step took a DPO share of a minute whole.
        Dpo.Outcome outcome = dpo.train(pairs, prepared.reference(), new Dpo.Settings(Budget.dpoSteps(
                        recipe.dpoSteps(), share.limited(), pairs.size(), 2, MAX_PASSES), 2,
                        recipe.loop().learningRate() * 0.25, share.dpoTrainingSeconds(pairs),
                        Math.max(1, Math.min(10, recipe.loop().checkpointEvery()))),
                checkpoints, recipe.resume(), run.control.jobId(), run.control.sink(), run.control.cancelFlag());
        share.stopped(outcome.stopReason());
        double after = dpo.meanMargin(pairs, prepared.reference());
        run.curves.add(new LossChart.Curve("dpo", outcome.history()));
        return figures(resumedFrom, counts, pairs.size(), null, sources, before, after, outcome, leftOut);
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
                                            Dpo.Outcome outcome, Integer pairsLeftOut) {
        History h = outcome == null ? null : outcome.history();
        boolean losses = h != null && !h.steps.isEmpty();
        return new StyleReports.DpoFigures(run.recipe.dpoBeta(), resumedFrom,
                c == null ? null : c.ownSamplePlans(), c == null ? null : c.ownChosen(),
                c == null ? null : c.originalChosen(), c == null ? null : c.preferenceFile(),
                c == null ? null : c.alteredPlans(), c == null ? null : c.alteredTexts(), pairs, skipped, bySource,
                outcome == null ? null : before, outcome == null ? null : after,
                outcome == null ? null : outcome.steps(), outcome == null ? null : outcome.stopReason(),
                losses ? h.steps.get(0).loss() : null, losses ? h.steps.get(h.steps.size() - 1).loss() : null,
                h == null ? null : StyleReports.losses(h), pairsLeftOut, null);
    }
}
