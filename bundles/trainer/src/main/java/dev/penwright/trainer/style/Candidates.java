package dev.penwright.trainer.style;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.PlanContext;
import dev.penwright.evaluators.HallucinationChecker;
import dev.penwright.evaluators.HallucinationReport;
import dev.penwright.evaluators.StyleClassifier;

/**
 * Sampling and scoring of candidates: the style score is P(target style | text)·100 from a classifier trained on the
 * corpus's training texts against the planner's neutral drafts (the voice against its absence); faithfulness and
 * factual hallucination come from the evaluators' fact checker against the plan and the original material.
 */
final class Candidates {
    static final String TARGET = "target";
    static final String NEUTRAL = "neutral";
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final LanguageModel model;
    private final StyleClassifier classifier;
    private final HallucinationChecker checker = new HallucinationChecker();
    private final StyleVocabulary vocabulary;

    /** @param vocabulary the style's vocabulary and form words, as its pack ships them */
    Candidates(LanguageModel model, List<String> styledTexts, List<String> neutralDrafts, StyleVocabulary vocabulary) {
        this.model = model;
        // In a fixed class order: the classifier's training visits the classes in map order, and Map.of's order
        // changes from one JVM to the next, so the same run scored style 26 in one and 34 in another.
        Map<String, List<String>> classes = new LinkedHashMap<>();
        classes.put(TARGET, styledTexts);
        classes.put(NEUTRAL, neutralDrafts);
        this.classifier = StyleClassifier.train(classes);
        this.vocabulary = vocabulary;
    }

    /**
     * The share of a plan's key facts a self-improvement candidate must keep. Faithfulness in the evaluators' sense
     * (not one key fact dropped) is the bar for a finished article; a small model's sample almost never clears it on
     * an extractive plan of a dozen facts, which left every round with nothing to learn from. A candidate that keeps
     * most facts, contradicts none and invents none is still a better target than the model's average sample.
     */
    static final double MIN_FACT_RECALL = 0.5;

    /** One scored sample; {@code factRecall} is the share of the plan's key facts it keeps (1 with no facts). */
    record Scored(String text, double style, boolean faithful, boolean factual, int tokens, double factRecall,
                  boolean contradicts) {
        boolean clean() {
            return faithful && factual;
        }

        /** Good enough to train on: invents nothing, contradicts nothing, keeps most of the plan's facts. */
        boolean keepable() {
            return factual && !contradicts && factRecall >= MIN_FACT_RECALL;
        }
    }

    /** The corpus's style vocabulary and form words (what a pack of it ships for copy-aware decoding). */
    StyleVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * What copy-aware decoding needs beside the prompt: the copy cursor walks the plan's draft, the fact guard allows
     * the prompt's words and {@code vocabulary}, the copy bias leaves its form words to the model. Null when the plan has no draft (nothing to copy).
     */
    PlanContext context(long[] prompt, ContentPlan plan, StyleVocabulary vocabulary) {
        String draft = plan.neutralDraft();
        return draft == null || draft.isBlank() ? null
                : new PlanContext(prompt, model.encode(draft.strip(), false), vocabulary.words(),
                        vocabulary.formWords());
    }

    double style(String text) {
        return 100 * classifier.probability(text, TARGET);
    }

    Scored score(String id, String text, ContentPlan plan, Material material, int tokens) {
        HallucinationReport.Item item = checker.check(id, text, material, plan);
        int facts = plan.keyFacts().size();
        double recall = facts == 0 ? 1 : 1 - (double) item.dropped().size() / facts;
        return new Scored(text, style(text), !item.faithfulnessHallucination(), !item.factualHallucination(), tokens,
                recall, !item.contradicted().isEmpty());
    }

    /**
     * k samples for each prompt, in prompt order then sample order; the first {@code copyAware} of each prompt's
     * samples decode as the pack will (copy cursor on the plan's draft, fact guard, coverage-gated end), the rest
     * freely: the first are what self-improvement can learn from, the rest what C-DPO should reject.
     */
    List<List<Generation>> sample(List<long[]> prompts, List<ContentPlan> plans, int k, int copyAware, int maxNew,
                                  LoraAdapter adapter, long seed) {
        List<GenerateRequest> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            PlanContext plan = context(prompts.get(i), plans.get(i), vocabulary);
            for (int j = 0; j < k; j++) {
                // A pack's limit may pass the context (long articles render in sections); one sample fits in it.
                int room = Math.max(1, model.config().maxPositions() - prompts.get(i).length);
                GenerationOptions o = new GenerationOptions(Math.min(maxNew, room), 1.0, 50, 0.95, 1.0,
                        seed + i * 1000L + j,
                        List.of(PromptFormat.END));
                boolean copying = j < copyAware && plan != null;
                if (copying) {
                    o = o.withCopyAware(PackDefaults.COPY_BIAS, PackDefaults.FACT_GUARD,
                            PackDefaults.MIN_COVERAGE);
                }
                requests.add(new GenerateRequest(prompts.get(i), o, adapter, null, copying ? plan : null));
            }
        }
        List<Generation> all = model.generateAll(requests, 8);
        List<List<Generation>> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(all.subList(i * k, (i + 1) * k));
        }
        return out;
    }

    /**
     * The plan with its facts altered: every number changed (n → n + 1 + n mod 7), so an output written from it
     * states figures the real plan does not hold. Null when the plan has no number to alter.
     */
    static ContentPlan altered(ContentPlan plan) {
        String joined = String.join("\n", plan.keyFacts()) + plan.neutralDraft() + plan.summary();
        if (!NUMBER.matcher(joined).find()) {
            return null;
        }
        return new ContentPlan(plan.title(), alter(plan.summary()), plan.keyFacts().stream().map(Candidates::alter).toList(),
                alter(plan.neutralDraft()), plan.language(), plan.plannerId(), plan.usage());
    }

    static String alter(String s) {
        Matcher m = NUMBER.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String digits = m.group();
            String replacement;
            if (digits.length() > 9) {
                replacement = digits.substring(0, digits.length() - 1) + ((digits.charAt(digits.length() - 1) - '0' + 3) % 10);
            } else {
                long n = Long.parseLong(digits);
                replacement = Long.toString(n + 1 + n % 7);
            }
            m.appendReplacement(sb, replacement);
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
