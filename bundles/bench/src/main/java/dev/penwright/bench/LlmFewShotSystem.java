package dev.penwright.bench;

import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.Shot;
import dev.penwright.trainer.data.CorpusText;

import java.util.List;
import java.util.Optional;

/**
 * Row 7, the paper's GPT-4 baseline: a configured LLM endpoint given the same few-shot exemplars as the base-model
 * row (TRAIN texts with their plans) and the item's plan, asked to write the text in the style of the examples.
 */
public final class LlmFewShotSystem implements BenchSystem {
    static final String SYSTEM = "You imitate a house style exactly. You are given examples of texts in one style, "
            + "each after the content plan it was written from, then a new content plan. Write the text of the new "
            + "plan in the same style as the examples: the same form, layout, tone and length, saying what the plan "
            + "says and adding no facts it does not hold. Answer with the text only, without a preamble.";

    private final LlmEndpoint endpoint;
    private final FewShots fewShots;
    private final int maxTokens;

    public LlmFewShotSystem(LlmEndpoint endpoint, FewShots fewShots, int maxTokens) {
        this.endpoint = endpoint;
        this.fewShots = fewShots;
        this.maxTokens = maxTokens;
    }

    @Override
    public Integer shots() {
        return fewShots.k();
    }

    public String key() { return "llm-fewshot"; }
    public String label() { return "LLM endpoint, few-shot"; }

    /** For the report: which endpoint and model. */
    public String describe() {
        return "LLM endpoint " + endpoint.id() + " (model " + endpoint.model() + "), " + fewShots.description();
    }

    public Optional<String> unavailableReason(String style) {
        return Optional.empty();
    }

    @Override
    public void prepare(String style, List<CorpusText> train) {
        fewShots.prepare(style, train);
    }

    public String generate(String style, BenchItem item) throws Exception {
        return render(style, item).text();
    }

    @Override
    public Output render(String style, BenchItem item) throws Exception {
        List<Shot> shots = fewShots.shots(style, item);
        return new Output(endpoint.chat(SYSTEM, prompt(shots, item.plan()), maxTokens).strip(), shots.size(), false);
    }

    /** The user message: the numbered examples (plan, then text), then the new plan and an open "Text:". */
    static String prompt(List<Shot> shots, ContentPlan plan) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shots.size(); i++) {
            Shot s = shots.get(i);
            sb.append("Example ").append(i + 1).append("\n\n");
            if (s.plan() != null) {
                sb.append("Plan:\n").append(planBlock(s.plan())).append("\n\n");
            }
            sb.append("Text:\n").append(s.text().strip()).append("\n\n---\n\n");
        }
        sb.append(shots.isEmpty() ? "Write the text of this plan in the house style"
                : "Now write the text of this plan in the style of the examples");
        if (!plan.language().isBlank()) {
            sb.append(" (language: ").append(plan.language()).append(")");
        }
        sb.append(".\n\nPlan:\n").append(planBlock(plan)).append("\n\nText:\n");
        return sb.toString();
    }

    private static String planBlock(ContentPlan p) {
        StringBuilder sb = new StringBuilder();
        sb.append("Title: ").append(p.title()).append('\n');
        sb.append("Summary: ").append(p.summary()).append('\n');
        sb.append("Key facts:\n");
        p.keyFacts().forEach(f -> sb.append("- ").append(f).append('\n'));
        sb.append("Neutral draft:\n").append(p.neutralDraft().strip());
        return sb.toString();
    }
}
