package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.evaluators.LlmHallucinationJudge;

/**
 * The LLM-judge hallucination rates, {@code factualHallucinationJudge} and {@code faithfulnessHallucinationJudge}.
 * Opt-in, by a configuration {@code etc/dev.penwright.evaluators.llmjudge.cfg} naming the endpoint
 * ({@code endpoint.target = (penwright.llm.id=gpt)}), because the pipeline runs every evaluator on every request: an
 * automatic judge would add an LLM call to each, and with an endpoint that is a Penwright runtime itself each judged
 * request would make another.
 */
@Component(service = Evaluator.class, configurationPid = "dev.penwright.evaluators.llmjudge",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Evaluator.ID + "=" + HallucinationJudgeEvaluator.ID)
public class HallucinationJudgeEvaluator implements Evaluator {
    static final String ID = "hallucination-llm";
    static final String FACTUAL = "factualHallucinationJudge";
    static final String FAITHFULNESS = "faithfulnessHallucinationJudge";

    private final LlmHallucinationJudge judge;

    @Activate
    public HallucinationJudgeEvaluator(@Reference(name = "endpoint") LlmEndpoint endpoint) {
        this.judge = new LlmHallucinationJudge(endpoint);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean accepts(EvaluationInput input) {
        return input.plan() != null || (input.material() != null && !input.material().isEmpty());
    }

    @Override
    public Evaluation evaluate(List<EvaluationInput> inputs) {
        List<LlmHallucinationJudge.Verdict> verdicts = new ArrayList<>();
        List<List<Score>> perItem = new ArrayList<>();
        String signature = judge.signature();
        for (EvaluationInput in : inputs) {
            if (!accepts(in)) {
                perItem.add(List.of());
                continue;
            }
            LlmHallucinationJudge.Verdict v = judge.judge(in.id(), in.hypothesis(), in.material(), in.plan());
            verdicts.add(v);
            perItem.add(!v.judged() ? List.of() : List.of(
                    new Score(FACTUAL, v.factualHallucination() ? 100 : 0,
                            signature + "|unsupported:" + String.join(";", v.unsupported())),
                    new Score(FAITHFULNESS, v.faithfulnessHallucination() ? 100 : 0, signature + "|dropped:"
                            + String.join(";", v.dropped()) + "|contradicted:" + String.join(";", v.contradicted()))));
        }
        LlmHallucinationJudge.Report report = LlmHallucinationJudge.summarise(verdicts);
        List<Score> corpus = report.judged() == 0 ? List.of() : List.of(
                new Score(FACTUAL, report.factualHallucinationRate(), signature + "|n:" + report.judged()
                        + "|unjudged:" + report.unjudged()),
                new Score(FAITHFULNESS, report.faithfulnessHallucinationRate(), signature + "|n:" + report.judged()
                        + "|unjudged:" + report.unjudged()));
        return new Evaluation(corpus, perItem);
    }
}
