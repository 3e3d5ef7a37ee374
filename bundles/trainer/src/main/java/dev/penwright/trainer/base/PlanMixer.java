package dev.penwright.trainer.base;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.engine.LanguageModel;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.RunControl;
import dev.penwright.trainer.style.PlanCache;
import dev.penwright.trainer.style.Sequences;

/**
 * Plan-following: a plan mix F makes that fraction of a base run's training sequences plan→text sequences, made as
 * S-SFT makes them (the planner's plan of a training text rendered with the api's prompt template, then the text and
 * the end marker, loss on the text and the marker only), so that the base model knows the styler's prompt format
 * before any adapter is trained on it.
 */
final class PlanMixer {
    private static final int PLAN_PROGRESS_EVERY = 2000;

    private final Planner planner;
    private final RunControl control;

    PlanMixer(Planner planner, RunControl control) {
        this.planner = planner;
        this.control = control;
    }

    /** Training sequences a corpus gives: raw pieces and plan→text sequences. */
    record Mix(List<Example> raw, List<Example> plan) {
        List<Example> all() {
            List<Example> out = new ArrayList<>(raw);
            out.addAll(plan);
            return out;
        }
    }

    /**
     * The training sequences of each corpus. With plan mix F, a corpus of R raw pieces and T texts gives N =
     * min(R/(1-F), T/F) sequences, F·N of them plan→text, without repeating any; with {@code balance} every corpus
     * gives the median corpus's N instead, a small corpus repeating its sequences and a large one giving a random
     * subset, so the corpora weigh about equally in training. With F = 0 and no balance: every raw piece, as ever.
     */
    Map<String, Mix> mixes(LanguageModel model, List<BaseCorpora.Corpus> corpora, BaseRecipe recipe,
                           Map<String, ContentPlan> plans, List<String> planFailures) {
        double f = recipe.planMix();
        SplittableRandom rng = new SplittableRandom(recipe.loop().seed() ^ 0x9E3779B97F4A7C15L);
        Map<String, List<Example>> raw = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (BaseCorpora.Corpus c : corpora) {
            control.note("sequences", "tokenising " + c.train().size() + " training texts of " + c.name());
            List<Example> pieces = RawText.pieces(model, c.train(), recipe.seqLen());
            raw.put(c.name(), pieces);
            int t = c.train().size();
            int n = f == 0 ? pieces.size() : f == 1 ? t
                    : (int) Math.floor(Math.min(pieces.size() / (1 - f), t / f));
            sizes.put(c.name(), n);
        }
        // The median corpus's size, not the mean: with one large corpus the mean would repeat each small one
        // tenfold and build tens of thousands of sequences no time-budgeted stage reaches.
        List<Integer> sorted = sizes.values().stream().sorted().toList();
        int median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (int) Math.round((sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2.0);
        // How many plan→text sequences each corpus needs, and which of its texts they come from.
        Map<String, Integer> rawCounts = new LinkedHashMap<>();
        Map<String, List<CorpusText>> planPicks = new LinkedHashMap<>();
        List<CorpusText> toPlan = new ArrayList<>();
        for (BaseCorpora.Corpus c : corpora) {
            int n = recipe.balance() ? median : sizes.get(c.name());
            int planCount = (int) Math.round(f * n);
            rawCounts.put(c.name(), n - planCount);
            List<CorpusText> picks = draw(c.train(), planCount, rng);
            planPicks.put(c.name(), picks);
            Set<String> seen = new HashSet<>();
            for (CorpusText t : picks) {
                if (seen.add(t.id())) {
                    toPlan.add(t);
                }
            }
        }
        if (!toPlan.isEmpty()) {
            plans.putAll(plan(toPlan, plans, planFailures));
        }
        Map<String, Mix> out = new LinkedHashMap<>();
        for (BaseCorpora.Corpus c : corpora) {
            control.note("sequences", "plan→text sequences of " + c.name());
            List<Example> rawPicks = raw.get(c.name());
            int k = rawCounts.get(c.name());
            if (k != rawPicks.size()) {
                rawPicks = draw(rawPicks, k, rng);
            }
            out.put(c.name(), new Mix(distinct(rawPicks, Example::id, PlanMixer::repeat),
                    planExamples(model, plans, planPicks.get(c.name()), recipe, "plan:")));
        }
        return out;
    }

    /**
     * The plans of {@code texts} (those already in {@code known} are not asked again), by text id, with progress:
     * the extractive planner takes about a millisecond a text, an LLM planner far longer.
     */
    Map<String, ContentPlan> plan(List<CorpusText> texts, Map<String, ContentPlan> known, List<String> failures) {
        Map<String, ContentPlan> out = new LinkedHashMap<>();
        long started = System.nanoTime();
        control.note("plan", "planning " + texts.size() + " texts with planner " + planner.id());
        for (int i = 0; i < texts.size(); i++) {
            CorpusText t = texts.get(i);
            ContentPlan p = known.get(t.id());
            if (p == null) {
                try {
                    p = planner.plan(PlanCache.material(t));
                } catch (PlanningException e) {
                    failures.add(t.id() + ": " + e.getMessage());
                }
            }
            if (p != null) {
                out.put(t.id(), p);
            }
            if ((i + 1) % PLAN_PROGRESS_EVERY == 0 || i + 1 == texts.size()) {
                double s = (System.nanoTime() - started) / 1e9;
                long eta = Math.round(s / (i + 1) * (texts.size() - i - 1));
                control.sink().accept(new JobProgress(control.jobId(), JobState.RUNNING, "plan", i + 1, texts.size(),
                        Double.NaN, 0, 0, eta, String.format("planned %d/%d texts in %.0f s", i + 1, texts.size(), s)));
            }
        }
        return out;
    }

    /**
     * Plan→text sequences of {@code texts} whose plan is known, made as S-SFT makes them; with several prompt
     * templates, the texts take them in turn.
     */
    static List<Example> planExamples(LanguageModel model, Map<String, ContentPlan> plans, List<CorpusText> texts,
                                      BaseRecipe recipe, String prefix) {
        List<PromptTemplate> templates = recipe.promptTemplates().stream().map(PromptTemplate::new).toList();
        List<Example> out = new ArrayList<>();
        // A repeated text (balance) with the same template is the same sequence: tokenise it once (fitting a long
        // prompt encodes it about ten times).
        Map<String, Example> made = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            CorpusText t = texts.get(i);
            ContentPlan p = plans.get(t.id());
            if (p != null) {
                int k = i % templates.size();
                out.add(made.computeIfAbsent(k + "/" + t.id(), key -> Sequences.example(model, templates.get(k),
                        prefix + t.id(), p, t.text(), recipe.seqLen())));
            }
        }
        return distinct(out, Example::id, PlanMixer::repeat);
    }

    /** The r-th repeat of an example, under the id prefix {@code r<r>:}. */
    private static Example repeat(Example e, int r) {
        return new Example("r" + r + ":" + e.id(), e.ids(), e.lossFrom());
    }

    /**
     * {@code k} items of {@code from} in a random order: a random subset when there are enough, else every item as
     * often as fits and a random subset of the rest.
     */
    static <T> List<T> draw(List<T> from, int k, SplittableRandom rng) {
        List<T> out = new ArrayList<>(k);
        if (from.isEmpty() || k <= 0) {
            return out;
        }
        while (out.size() + from.size() <= k) {
            out.addAll(from);
        }
        List<T> shuffled = new ArrayList<>(from);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            Collections.swap(shuffled, i, rng.nextInt(i + 1));
        }
        out.addAll(shuffled.subList(0, k - out.size()));
        return out;
    }

    /**
     * Renames repeats (the r-th repeat of an id gets the prefix {@code r<r>:}): the batcher orders examples by length
     * and then id, so the prefix also keeps a repeat away from its original within a length.
     */
    static <T> List<T> distinct(List<T> items, Function<T, String> id, BiFunction<T, Integer, T> rename) {
        Map<String, Integer> seen = new HashMap<>();
        List<T> out = new ArrayList<>(items.size());
        for (T t : items) {
            int r = seen.merge(id.apply(t), 1, Integer::sum) - 1;
            out.add(r == 0 ? t : rename.apply(t, r));
        }
        return out;
    }
}
