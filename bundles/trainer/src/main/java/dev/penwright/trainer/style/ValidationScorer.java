package dev.penwright.trainer.style;

import java.util.ArrayList;
import java.util.List;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.evaluators.Rouge;
import dev.penwright.trainer.data.CorpusText;

/**
 * Outputs for up to {@value #ITEMS} validation plans, made as a deployed pack makes them (its template, its options
 * with seed 0, copy-aware decoding with the plan's draft and its vocabulary for the fact guard), scored against the
 * held-out texts: style score, ROUGE-L F (0-100, rouge-score's tokenizer), and the share of outputs with unsupported
 * facts (factual) or dropped/contradicted key facts (faithfulness).
 */
final class ValidationScorer {
    static final int ITEMS = 8;
    /** Tokens of one validation output decoded first in a budgeted run, to plan the scorings ({@link Budget#planScoring}). */
    static final int PROBE_TOKENS = 24;

    private final StyleRunContext run;
    /** The validation texts whose outputs are scored: the first of them, as many as the budget affords. */
    private List<CorpusText> items;

    ValidationScorer(StyleRunContext run) {
        this.run = run;
        this.items = run.data.val().stream().filter(t -> run.data.plans().containsKey(t.id())).limit(ITEMS).toList();
    }

    /** How many validation outputs each scoring decodes. */
    int items() {
        return items.size();
    }

    /**
     * With a time budget, decodes {@value #PROBE_TOKENS} tokens of one validation output as the pack decodes, and
     * lets the budget decide from that pace and each output's longest length how many outputs every scoring decodes
     * ({@link Budget#planScoring}). Call it once, before the base model's scoring.
     */
    void plan(Budget budget, PromptTemplate template, GenerationOptions options, StyleVocabulary vocabulary) {
        if (!budget.limited() || items.isEmpty()) {
            return;
        }
        List<CorpusText> all = items;
        items = all.subList(0, 1);
        long t0 = System.nanoTime();
        score(null, template, options.withMaxNewTokens(PROBE_TOKENS), vocabulary);
        double perToken = (System.nanoTime() - t0) / 1e9 / PROBE_TOKENS;
        List<Integer> caps = all.stream().map(t -> Math.min(run.model.config().maxPositions(),
                Budget.scoredTokens(run.model.encode(t.text(), false).length))).toList();
        items = all.subList(0, budget.planScoring(perToken, caps));
    }

    /** With {@code adapter} (null: the bare base model), decoded with {@code template} and {@code options}. */
    StyleReports.Validation score(LoraAdapter adapter, PromptTemplate template, GenerationOptions options,
                                  StyleVocabulary vocabulary) {
        if (items.isEmpty()) {
            return new StyleReports.Validation(0, null, null);
        }
        List<long[]> prompts = items.stream().map(t -> Sequences.prompt(run.model, template,
                run.data.plans().get(t.id()), run.recipe.maxTokens() / 2)).toList();
        // Every option as the pack decodes, copy-aware ones included: a pack's figures without its copy cursor were
        // those of a decoding no user gets (its report once scored a pack's style below the base model's).
        GenerationOptions o = new GenerationOptions(options.maxNewTokens(), options.temperature(), options.topK(),
                options.topP(), options.repetitionPenalty(), 0L, List.of(PromptFormat.END), options.copyBias(),
                options.factGuard(), options.minCoverage());
        List<GenerateRequest> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            var plan = o.isCopyAware()
                    ? run.candidates.context(prompts.get(i), run.data.plans().get(items.get(i).id()), vocabulary)
                    : null;
            // The styler renders a draft longer than the context in sections; the engine's own batch does not, so a
            // validation text ends where the context does (the pack's maxNewTokens is twice the context).
            // An output that runs past twice its reference is a failure whatever follows; cut there, a scoring's time
            // is bounded by the texts, not by the context (an unfinished adapter once decoded for minutes).
            int room = Math.min(Math.max(1, run.model.config().maxPositions() - prompts.get(i).length),
                    Budget.scoredTokens(run.model.encode(items.get(i).text(), false).length));
            requests.add(new GenerateRequest(prompts.get(i), o.withMaxNewTokens(Math.min(o.maxNewTokens(), room)),
                    adapter, null, plan));
        }
        List<Generation> gens = run.model.generateAll(requests, 8);
        Rouge rouge = new Rouge();
        double style = 0;
        double rougeL = 0;
        int factual = 0;
        int unfaithful = 0;
        for (int i = 0; i < items.size(); i++) {
            CorpusText t = items.get(i);
            String text = gens.get(i).text() == null ? "" : gens.get(i).text().strip();
            Candidates.Scored s = run.candidates.score(t.id(), text, run.data.plans().get(t.id()),
                    PlanCache.material(t), 0);
            style += s.style();
            rougeL += 100 * rouge.rougeL(t.text(), text).fmeasure();
            factual += s.factual() ? 0 : 1;
            unfaithful += s.faithful() ? 0 : 1;
        }
        int n = items.size();
        StyleReports.Scores scores = new StyleReports.Scores(style / n, rougeL / n, (double) factual / n,
                (double) unfaithful / n, describe(o), gens.get(0).text() == null ? "" : gens.get(0).text());
        return new StyleReports.Validation(n, scores, rouge.signature("rougeL"));
    }

    private static String describe(GenerationOptions o) {
        return o.temperature() + " temperature, top-k " + o.topK() + ", top-p " + o.topP() + ", repetition penalty "
                + o.repetitionPenalty() + ", at most " + o.maxNewTokens() + " tokens (and the context, and "
                + Budget.SCORED_TOKENS_RULE + "), seed 0"
                + (o.isCopyAware() ? ", copy bias " + o.copyBias() + ", fact guard " + o.factGuard()
                + ", min coverage " + o.minCoverage() : ", copy-aware decoding off");
    }
}
