package dev.penwright.trainer.style;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.engine.Generation;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.PreferencePair;
import dev.penwright.trainer.dpo.DpoPair;

/**
 * C-DPO's pairs: rejected = the model's own samples that invent, drop or contradict facts, and outputs written from
 * plans whose facts were altered; chosen = a sample of the same plan that passes, else the original text. Pairs of
 * a preference file join them.
 */
final class DpoPairBuilder {
    /**
     * C-DPO pairs at most. 25–32 pairs (the cap before) were learnt to a 40–130-nat margin in 10–30 steps: the phase
     * over-fitted and raised hallucination on the test split. Many distinct pairs, each seen about once, teach the
     * contrast instead of the pairs.
     */
    static final int MAX_PAIRS = 256;
    /** Training plans sampled for C-DPO's own-sample pairs (k candidates each). */
    static final int SAMPLED_PLANS = 64;
    /** Pairs with altered figures at most: they contrast figures only, the own samples every kind of error. */
    static final int MAX_ALTERED_PAIRS = 64;

    private final StyleRunContext run;
    private final Budget.Share share;
    private final List<DpoPair> pairs = new ArrayList<>();

    DpoPairBuilder(StyleRunContext run, Budget.Share share) {
        this.run = run;
        this.share = share;
    }

    /** The pairs, and how many came from where. */
    record Built(List<DpoPair> pairs, StyleReports.PairCounts counts) {
    }

    Built build() throws IOException {
        int[] own = ownSamplePairs();
        int[] altered = alteredPairs();
        int fromFile = preferencePairs();
        return new Built(List.copyOf(pairs), new StyleReports.PairCounts(own[0], own[1], own[2], fromFile,
                altered[0], altered[1]));
    }

    /**
     * Pairs from the model's own samples, as SAG's content-level DPO makes them: for each of up to
     * {@value #SAMPLED_PLANS} training plans, k candidates from the adapter as C-DPO starts; the rejected side is the
     * worst that invents a fact or drops or contradicts a key fact (as the hallucination checker counts them), the
     * chosen side the best candidate that passes (in the model's own register), else the original text. Sampling
     * stops at half of the phase's time when the run has a budget. Returns {plans sampled, pairs with an own chosen
     * side, pairs with the original as chosen side}.
     */
    private int[] ownSamplePairs() {
        StyleRecipe recipe = run.recipe;
        List<CorpusText> todo = run.data.plannedTrain(SAMPLED_PLANS);
        run.control.note("dpo", "sampling " + recipe.candidates() + " candidates for " + todo.size()
                + " plans (own-sample pairs)");
        int sampledPlans = 0;
        int ownChosen = 0;
        int originalChosen = 0;
        for (int from = 0; from < todo.size() && pairs.size() < MAX_PAIRS - MAX_ALTERED_PAIRS / 2
                && !run.control.cancelled() && share.affordsSampling(0.5, Math.min(SelfImprovePhase.SAMPLE_CHUNK,
                todo.size() - from) * run.recipe.candidates()); from += SelfImprovePhase.SAMPLE_CHUNK) {
            List<CorpusText> chunk = todo.subList(from, Math.min(todo.size(), from + SelfImprovePhase.SAMPLE_CHUNK));
            List<ContentPlan> plans = chunk.stream().map(t -> run.data.plans().get(t.id())).toList();
            // Half the candidates decode with the copy cursor (the side to prefer), half freely (the side that
            // invents and drops facts): the pair teaches the adapter itself what the cursor enforces.
            List<List<Generation>> gens = run.candidates.sample(plans.stream().map(run::prompt).toList(), plans,
                    recipe.candidates(), (recipe.candidates() + 1) / 2, run.maxSampledTokens(), run.adapter,
                    recipe.loop().seed() * 15485863L + from);
            sampledPlans += chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                CorpusText t = chunk.get(i);
                Candidates.Scored worst = null;
                Candidates.Scored best = null;
                for (Generation g : gens.get(i)) {
                    String text = g.text() == null ? "" : g.text().strip();
                    if (text.isEmpty()) {
                        continue;
                    }
                    Candidates.Scored s = run.candidates.score(t.id(), text, plans.get(i), PlanCache.material(t), 0);
                    if (s.clean() && !s.contradicts()) {
                        if (best == null || s.style() + 100 * s.factRecall() > best.style() + 100 * best.factRecall()) {
                            best = s;
                        }
                    } else if (worst == null || badness(s) > badness(worst)) {
                        worst = s;
                    }
                }
                if (worst == null) {
                    continue;
                }
                pairs.add(pair(t.id() + "#o", plans.get(i), best != null ? best.text() : t.text(), worst.text(),
                        best != null ? "own-sample/own-chosen" : "own-sample/original-chosen"));
                if (best != null) {
                    ownChosen++;
                } else {
                    originalChosen++;
                }
            }
        }
        return new int[] {sampledPlans, ownChosen, originalChosen};
    }

    /** How bad a rejected candidate is: an invented fact weighs most, then contradicted, then dropped key facts. */
    private static double badness(Candidates.Scored s) {
        return (s.factual() ? 0 : 2) + (s.contradicts() ? 1 : 0) + (1 - s.factRecall());
    }

    /**
     * Outputs written from plans whose facts were altered: they state figures the real plan does not hold. Taken
     * from the self-improvement rounds' plans, a few at a time within 30% of the phase's time; texts not sampled get
     * the altered-text pair. Returns {altered-plan pairs, altered-text pairs}.
     */
    private int[] alteredPairs() {
        StyleRecipe recipe = run.recipe;
        List<CorpusText> alterable = new ArrayList<>();
        for (CorpusText t : run.data.plannedTrain(SelfImprovePhase.SAMPLED_PLANS)) {
            if (Candidates.altered(run.data.plans().get(t.id())) != null
                    && alterable.size() < Math.min(MAX_ALTERED_PAIRS, MAX_PAIRS - pairs.size())) {
                alterable.add(t);
            }
        }
        int fromAltered = 0;
        int fromAlteredText = 0;
        for (int from = 0; from < alterable.size(); from += SelfImprovePhase.SAMPLE_CHUNK) {
            List<CorpusText> chunk = alterable.subList(from,
                    Math.min(alterable.size(), from + SelfImprovePhase.SAMPLE_CHUNK));
            List<Generation> gens = null;
            if (!run.control.cancelled() && share.affordsSampling(0.3, chunk.size())) {
                List<ContentPlan> alteredPlans = chunk.stream()
                        .map(t -> Candidates.altered(run.data.plans().get(t.id()))).toList();
                // The copy cursor carries the altered figures into the text: a sample that states them.
                gens = run.candidates.sample(alteredPlans.stream().map(run::prompt).toList(), alteredPlans, 1, 1,
                        run.maxSampledTokens(), run.adapter, recipe.loop().seed() * 104729 + from).stream()
                        .map(g -> g.get(0)).toList();
            }
            for (int i = 0; i < chunk.size(); i++) {
                CorpusText t = chunk.get(i);
                ContentPlan plan = run.data.plans().get(t.id());
                String text = gens == null || gens.get(i).text() == null ? "" : gens.get(i).text().strip();
                Candidates.Scored s = text.isEmpty() ? null
                        : run.candidates.score(t.id(), text, plan, PlanCache.material(t), 0);
                if (s != null && !s.factual()) {
                    pairs.add(pair(t.id() + "#a", plan, t.text(), text, "altered-plan"));
                    fromAltered++;
                } else {
                    // The small model did not carry the altered figures over (or was not sampled): the original text
                    // with the altered figures stands in as the rejected side (the same contrast).
                    String alteredText = Candidates.alter(t.text());
                    if (!alteredText.equals(t.text())) {
                        pairs.add(pair(t.id() + "#t", plan, t.text(), alteredText, "altered-text"));
                        fromAlteredText++;
                    }
                }
            }
        }
        return new int[] {fromAltered, fromAlteredText};
    }

    /** The recipe's preference file's pairs, if it names one. */
    private int preferencePairs() throws IOException {
        StyleRecipe recipe = run.recipe;
        if (recipe.preference() == null) {
            return 0;
        }
        int n = 0;
        try {
            for (PreferencePair p : new JsonlReader(recipe.onBadLine()).preference(recipe.preference()).records()) {
                long[] prompt = preferencePrompt(p.prompt());
                pairs.add(responses(p.id(), prompt, p.chosen(), p.rejected(), "preference-file"));
                n++;
            }
        } catch (BadDataException e) {
            throw new IOException(e.getMessage(), e);
        }
        return n;
    }

    /**
     * A preference line's prompt as token ids: as it is when it already holds the text marker (a rendered prompt),
     * otherwise rendered with the pack's template as a plan whose title is the prompt, so that preference pairs and
     * generated prompts look the same to the model.
     */
    private long[] preferencePrompt(String prompt) {
        if (prompt.contains(PromptTemplate.TEXT)) {
            return head(run.model.encode(prompt), run.recipe.maxTokens() / 2);
        }
        return run.prompt(new ContentPlan(prompt, "", List.of(), "", "", "preference", null));
    }

    private DpoPair pair(String id, ContentPlan plan, String chosen, String rejected, String source) {
        return responses(id, run.prompt(plan), chosen, rejected, source);
    }

    /** A pair of responses to a prompt, each ended by the end marker and cut to the run's sequence length. */
    private DpoPair responses(String id, long[] prompt, String chosen, String rejected, String source) {
        int room = run.recipe.maxTokens() - prompt.length;
        return new DpoPair(id, prompt, head(run.model.encode(chosen + PromptFormat.END, false), room),
                head(run.model.encode(rejected + PromptFormat.END, false), room), source);
    }

    private static long[] head(long[] ids, int n) {
        return ids.length <= n ? ids : Arrays.copyOf(ids, n);
    }
}
