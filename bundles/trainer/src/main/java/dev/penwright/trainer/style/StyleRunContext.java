package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDManager;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.LossChart;
import dev.penwright.trainer.loop.RunControl;
import dev.penwright.trainer.loop.TrainingLoop;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * What the phases of one style run share: the recipe, its data and plans, the base model with the one adapter every
 * phase trains, the candidate sampler and scorer, the time budget and the loss curves so far. It owns the model and
 * the tensor manager; closing it releases them.
 */
final class StyleRunContext implements AutoCloseable {
    final StyleRecipe recipe;
    final RunControl control;
    final Budget budget;
    final StyleData data;
    final BaseModelInfo base;
    final PromptTemplate template;
    final LanguageModel model;
    final NDManager manager;
    final LoraAdapter adapter;
    final LoraTask task;
    final Candidates candidates;
    final List<Example> trainExamples;
    final List<Example> valExamples;
    final List<LossChart.Curve> curves = new ArrayList<>();
    /** Optimisation phases in the run (S-SFT, each round, C-DPO): S-SFT's share of a step count depends on it. */
    final int phases;

    private StyleRunContext(StyleRecipe recipe, RunControl control, Budget budget, StyleData data, BaseModelInfo base,
                            LanguageModel model, NDManager manager) {
        this.recipe = recipe;
        this.control = control;
        this.budget = budget;
        this.data = data;
        this.base = base;
        this.template = new PromptTemplate(recipe.promptTemplate());
        this.model = model;
        this.manager = manager;
        this.trainExamples = examples(data.train());
        this.valExamples = examples(data.val());
        LoraConfig loraConfig = new LoraConfig(recipe.rank(), recipe.alpha(), recipe.targets(), Map.of(), Map.of(),
                false, base.id());
        this.adapter = model.createAdapter(recipe.id(), loraConfig, recipe.loop().seed(), true);
        this.task = new LoraTask(model, adapter, recipe.dropout(), manager, LoraTask.DEFAULT_GRAPH_BUDGET);
        this.candidates = new Candidates(model, data.train().stream().map(CorpusText::text).toList(),
                data.plans().values().stream().map(ContentPlan::neutralDraft).toList(), data.vocabulary());
        this.phases = 1 + recipe.selfImprove() + (recipe.dpo() ? 1 : 0);
    }

    /** Loads the base model (it must have a tokenizer) and makes the run's adapter. */
    static StyleRunContext open(StyleRecipe recipe, RunControl control, Budget budget, StyleData data,
                                BaseModelInfo base) throws IOException {
        LanguageModel model = LanguageModel.load(recipe.baseModel());
        NDManager manager = null;
        try {
            if (!model.hasTokenizer()) {
                throw new IOException(recipe.baseModel() + " has no tokenizer.json");
            }
            manager = NDManager.newBaseManager();
            return new StyleRunContext(recipe, control, budget, data, base, model, manager);
        } catch (IOException | RuntimeException e) {
            if (manager != null) {
                manager.close();
            }
            model.close();
            throw e;
        }
    }

    Path out() {
        return recipe.out();
    }

    /** A plan's prompt as token ids, at most half the run's sequence length. */
    long[] prompt(ContentPlan plan) {
        return Sequences.prompt(model, template, plan, recipe.maxTokens() / 2);
    }

    /** The most new tokens a sampled candidate may have. */
    int maxSampledTokens() {
        return Math.max(16, recipe.maxTokens() / 2);
    }

    /** The plan→text training sequence of a text (its plan must be known). */
    Example example(String id, ContentPlan plan, String text) {
        return Sequences.example(model, template, id, plan, text, recipe.maxTokens());
    }

    /**
     * Trains the adapter on {@code examples} as phase {@code name}, with {@code stepFraction} of the recipe's steps
     * or the share's time, checkpointing under {@code checkpoints/<name>}; the loss curve joins the run's.
     */
    TrainingResult train(String name, List<Example> examples, double stepFraction, Budget.Share share)
            throws IOException {
        TrainingResult r = new TrainingLoop(task, phaseLoop(recipe.loop(), stepFraction, share), examples,
                valExamples, pad(model), out().resolve("checkpoints/" + name), control.jobId(), name,
                control.sink(), control.cancelFlag()).run(recipe.resume());
        curves.add(new LossChart.Curve(name, r.history()));
        return r;
    }

    private List<Example> examples(List<CorpusText> texts) {
        List<Example> out = new ArrayList<>();
        for (CorpusText t : texts) {
            ContentPlan plan = data.plans().get(t.id());
            if (plan != null) {
                out.add(example(t.id(), plan, t.text()));
            }
        }
        return out;
    }

    /**
     * A phase's loop settings: with a step count, {@code stepFraction} of it (as before a budget existed); with a
     * time budget, the phase's share of it.
     */
    private static LoopConfig phaseLoop(LoopConfig c, double stepFraction, Budget.Share share) {
        int steps = c.maxSteps() == 0 ? 0 : Math.max(1, (int) Math.round(c.maxSteps() * stepFraction));
        double minutes = share.loopMinutes(1.0);
        if (steps == 0 && minutes == 0) {
            throw new IllegalArgumentException("give a positive number of steps or minutes");
        }
        return new LoopConfig(steps, minutes, c.learningRate(), c.warmupSteps(), c.minLrRatio(), c.weightDecay(),
                c.clipNorm(), c.accumulation(), c.maxBatchTokens(), c.maxBatchRows(), c.evalEvery(), c.patience(),
                c.checkpointEvery(), c.seed());
    }

    /** The pad id: the end-of-sequence token (never scored: padding carries no loss). */
    static long pad(LanguageModel model) {
        return model.config().eosTokenIds().isEmpty() ? 0 : model.config().eosTokenIds().get(0);
    }

    @Override
    public void close() {
        manager.close();
        model.close();
    }
}
