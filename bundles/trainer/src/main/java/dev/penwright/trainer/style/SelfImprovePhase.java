package dev.penwright.trainer.style;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.engine.Generation;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * Self-improvement rounds: sample k candidates per plan, keep the best one that keeps most of the plan's key facts,
 * contradicts none, states no unsupported fact and scores above the style threshold, and train on the training set
 * grown by what was kept.
 */
final class SelfImprovePhase {
    /** Training plans sampled a round. */
    static final int SAMPLED_PLANS = 24;
    /** Plans sampled together; the time budget is checked between such chunks. */
    static final int SAMPLE_CHUNK = 4;
    static final String KEEP_RULE = "no unsupported fact, no contradicted key fact, at least "
            + Candidates.MIN_FACT_RECALL + " of the plan's key facts kept, style >= threshold; best by"
            + " style + 100 x fact share";

    private final StyleRunContext run;
    private final List<CorpusText> sampled;
    /** The training set, grown by each round's kept candidates. */
    private final List<Example> grown;

    SelfImprovePhase(StyleRunContext run) {
        this.run = run;
        this.sampled = run.data.plannedTrain(SAMPLED_PLANS);
        this.grown = new ArrayList<>(run.trainExamples);
    }

    /** The training set as the rounds left it: the training texts and every round's kept candidates. */
    List<Example> grown() {
        return grown;
    }

    /** The tallies of one round's sampling. */
    private static final class Tally {
        int kept;
        int plans;
        double styleSum;
        int scored;
        int clean;

        double meanStyle() {
            return scored == 0 ? 0 : styleSum / scored;
        }
    }

    /** Every round the recipe asks for. */
    List<StyleReports.Round> run() throws IOException {
        List<StyleReports.Round> rounds = new ArrayList<>();
        for (int r = 1; r <= run.recipe.selfImprove(); r++) {
            run.control.checkCancelled();
            rounds.add(round(r));
        }
        return rounds;
    }

    private StyleReports.Round round(int r) throws IOException {
        StyleRecipe recipe = run.recipe;
        String name = "self-improve-" + r;
        Budget.Share share = run.budget.begin(name);
        run.control.note(name, "sampling " + recipe.candidates() + " candidates for up to " + sampled.size()
                + " plans");
        Tally tally = new Tally();
        // A few plans at a time, so that the round's sampling share (40%) bounds the time it takes: a chunk starts
        // only when it should end within it.
        for (int from = 0; from < sampled.size() && !run.control.cancelled() && share.affordsSampling(0.4,
                Math.min(SAMPLE_CHUNK, sampled.size() - from) * recipe.candidates()); from += SAMPLE_CHUNK) {
            sample(sampled.subList(from, Math.min(sampled.size(), from + SAMPLE_CHUNK)), r, from, tally);
        }
        double samplingSeconds = share.used();
        Object training = null;
        // With a time budget, a round that kept nothing still trains its share on the training texts (and what
        // earlier rounds kept), while the validation loss falls: the time is the user's, not a refund.
        boolean trains = (tally.kept > 0 || share.limited())
                && share.affordsSteps(2, recipe.loop().maxBatchTokens() * recipe.loop().accumulation());
        if (trains && !run.control.cancelled()) {
            TrainingResult si = run.train(name, grown, 0.4 / Math.max(1, run.phases - 1), share);
            training = StyleReports.LoopFigures.of(si, grown.size(), run.valExamples.size());
            run.budget.trainingSpeed(si.tokensPerSecond());
            share.stopped(si.stopReason());
        } else if (tally.kept == 0 && !share.limited()) {
            training = "none: no candidate cleared the thresholds; the adapter is unchanged";
        } else if (!trains) {
            training = "none: the round's time left does not hold two training steps";
        }
        // Said as it happens, not only in report.json: a round that keeps nothing is a round of sampling that changed
        // nothing, and the user should know why (a high --style-threshold, a weak base model).
        int chunk = Math.min(SAMPLE_CHUNK, sampled.size());
        run.control.note(name, (tally.plans == 0 && share.limited()
                ? String.format(Locale.ROOT, "sampled no plan: %d candidates of %d plans would not end within 40%%"
                        + " of the round's %.0f s", recipe.candidates() * chunk, chunk, share.seconds())
                : tally.kept == 0
                ? String.format(Locale.ROOT, "kept 0 of %d candidates from %d plans (%d clean of facts, mean style"
                        + " %.1f, threshold %.1f): no candidate cleared the keep rule, the round adds no example",
                tally.scored, tally.plans, tally.clean, tally.meanStyle(), recipe.styleThreshold())
                : String.format(Locale.ROOT, "kept %d of %d candidates from %d plans; trained on %d examples",
                tally.kept, tally.scored, tally.plans, grown.size()))
                + (tally.kept == 0 && trains ? "; the round's time went on training on the training texts" : ""));
        share.end();
        return new StyleReports.Round(r, tally.plans, tally.scored, tally.kept,
                tally.plans == 0 ? 0 : (double) tally.kept / tally.plans, tally.meanStyle(),
                tally.scored == 0 ? 0 : (double) tally.clean / tally.scored, recipe.styleThreshold(), KEEP_RULE,
                samplingSeconds, training);
    }

    /** Samples candidates for a chunk of plans and keeps each plan's best that passes the keep rule. */
    private void sample(List<CorpusText> chunk, int r, int from, Tally tally) {
        StyleRecipe recipe = run.recipe;
        List<ContentPlan> plans = chunk.stream().map(t -> run.data.plans().get(t.id())).toList();
        List<long[]> prompts = plans.stream().map(run::prompt).toList();
        // Sampled as the pack will decode (copy cursor on): candidates that keep the plan, in forms the style filter
        // can choose among.
        List<List<Generation>> gens = run.candidates.sample(prompts, plans, recipe.candidates(), recipe.candidates(),
                run.maxSampledTokens(), run.adapter, recipe.loop().seed() * 7919 + r * 1_000_003L + from);
        tally.plans += chunk.size();
        for (int i = 0; i < chunk.size(); i++) {
            CorpusText t = chunk.get(i);
            ContentPlan plan = plans.get(i);
            Candidates.Scored best = null;
            for (Generation g : gens.get(i)) {
                String text = g.text() == null ? "" : g.text().strip();
                if (text.isEmpty()) {
                    continue;
                }
                Candidates.Scored s = run.candidates.score(t.id(), text, plan, PlanCache.material(t),
                        g.tokenIds().size());
                tally.scored++;
                tally.styleSum += s.style();
                if (s.clean()) {
                    tally.clean++;
                }
                if (s.keepable() && s.style() >= recipe.styleThreshold()
                        && (best == null || s.style() + 100 * s.factRecall() > best.style() + 100 * best.factRecall())) {
                    best = s;
                }
            }
            if (best != null) {
                tally.kept++;
                grown.add(run.example(t.id() + "#si" + r, plan, best.text()));
            }
        }
    }
}
