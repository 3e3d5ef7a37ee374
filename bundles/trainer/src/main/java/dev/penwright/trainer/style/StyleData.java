package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Split;
import dev.penwright.trainer.loop.RunControl;

/**
 * The texts a style run trains and validates on, and their plans.
 *
 * @param data         the training file as read
 * @param train        training-split texts (at most the run's example limit)
 * @param val          validation-split texts (a few, in proportion to the training texts)
 * @param plans        the plan of each text, by id (texts the planner failed on have none)
 * @param plannerId    who made the plans
 * @param planFailures texts the planner failed on
 */
record StyleData(TrainingData data, List<CorpusText> train, List<CorpusText> val, Map<String, ContentPlan> plans,
                 String plannerId, int planFailures) {
    /** Training texts a minute of time budget when --max-examples is not given. */
    static final int TEXTS_PER_MINUTE = 400;

    /** Reads the recipe's file, splits it and plans every text used (plans cached in {@code out/plans.jsonl}). */
    static StyleData prepare(StyleRecipe recipe, Planner planner, RunControl control)
            throws IOException, BadDataException {
        TrainingData data = TrainingData.read(recipe);
        List<CorpusText> train = Split.TRAIN.select(data.records(), CorpusText::id);
        List<CorpusText> val = Split.VALIDATION.select(data.records(), CorpusText::id);
        // With a time budget and no --max-examples, at most TEXTS_PER_MINUTE texts a minute of it: planning is
        // charged to the budget (44,000 debian-desc texts would take the extractive planner most of six minutes),
        // and a short run trains on a few hundred texts anyway.
        int maxExamples = recipe.maxExamples() > 0 ? recipe.maxExamples()
                : recipe.loop().minutes() > 0 ? (int) Math.ceil(recipe.loop().minutes() * TEXTS_PER_MINUTE) : 0;
        if (maxExamples > 0 && train.size() > maxExamples) {
            train = train.subList(0, maxExamples);
        }
        int maxVal = Math.max(4, Math.min(64, train.size() / 8));
        if (val.size() > maxVal) {
            val = val.subList(0, maxVal);
        }
        if (train.isEmpty()) {
            throw new BadDataException(recipe.corpus() + ": no text falls in the training split (80% of ids by hash)");
        }
        List<CorpusText> all = new ArrayList<>(train);
        all.addAll(val);
        if (data.givenPlans() != null) {
            // Alpaca lines carry their prompt: instruction (title) and input (draft) are the plan, nothing to plan.
            Map<String, ContentPlan> plans = new LinkedHashMap<>();
            for (CorpusText t : all) {
                plans.put(t.id(), data.givenPlans().get(t.id()));
            }
            return new StyleData(data, train, val, plans, "none (alpaca: instruction and input are the plan)", 0);
        }
        control.note("plan", "planning " + all.size() + " texts with planner " + planner.id());
        List<String> failures = new ArrayList<>();
        Path cache = recipe.out().resolve("plans.jsonl");
        Map<String, ContentPlan> plans = PlanCache.plans(planner, all, cache, failures);
        return new StyleData(data, train, val, plans, planner.id(), failures.size());
    }

    /** The training texts that have a plan, at most {@code n}: the ones a sampling phase draws from. */
    List<CorpusText> plannedTrain(int n) {
        return train.stream().filter(t -> plans.containsKey(t.id())).limit(n).toList();
    }

    /** The style's common words, form words and first-line form counts, from the training texts and their drafts. */
    StyleVocabulary vocabulary() {
        return StyleForm.of(StyleVocabulary.of(train.stream().map(CorpusText::text).toList()), train, plans);
    }
}
