package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.evaluators.HallucinationChecker;
import dev.penwright.evaluators.HallucinationReport;

/**
 * Factual and faithfulness hallucination rates (percent of outputs, lower is better). Per item, 100 or 0, and the
 * signature carries the findings ({@code unsupported:...}, {@code dropped:...}, {@code contradicted:...}) since a
 * {@link Score} has no other place for them; {@link HallucinationChecker} gives them as records.
 */
@Component(service = Evaluator.class, property = Evaluator.ID + "=" + HallucinationEvaluator.ID)
public class HallucinationEvaluator implements Evaluator {
    static final String ID = "hallucination";
    static final String FACTUAL = "factualHallucination";
    /** A rate of outputs that drop or contradict plan key facts; named so that nobody reads it as a faithfulness score. */
    static final String FAITHFULNESS = "faithfulnessHallucination";

    private final HallucinationChecker checker = new HallucinationChecker();

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
        List<HallucinationReport.Item> items = new ArrayList<>();
        List<List<Score>> perItem = new ArrayList<>();
        String signature = HallucinationChecker.signature();
        for (EvaluationInput in : inputs) {
            if (!accepts(in)) {
                perItem.add(List.of());
                continue;
            }
            HallucinationReport.Item item = checker.check(in.id(), in.hypothesis(), in.material(), in.plan());
            items.add(item);
            List<Score> scores = new ArrayList<>();
            if (item.factualChecked()) {
                scores.add(new Score(FACTUAL, item.factualHallucination() ? 100 : 0, signature + "|unsupported:"
                        + item.unsupported().stream().map(f -> f.text()).collect(Collectors.joining(";"))));
            }
            if (item.faithfulnessChecked()) {
                scores.add(new Score(FAITHFULNESS, item.faithfulnessHallucination() ? 100 : 0, signature
                        + "|dropped:" + String.join(";", item.dropped()) + "|contradicted:" + item.contradicted()
                        .stream().map(c -> c.expected() + "->" + c.found()).collect(Collectors.joining(";"))));
            }
            perItem.add(scores);
        }
        HallucinationReport report = HallucinationChecker.summarise(items);
        List<Score> corpus = new ArrayList<>();
        if (report.factualChecked() > 0) {
            corpus.add(new Score(FACTUAL, report.factualRate(), signature + "|n:" + report.factualChecked()));
        }
        if (report.faithfulnessChecked() > 0) {
            corpus.add(new Score(FAITHFULNESS, report.faithfulnessHallucinationRate(), signature + "|n:"
                    + report.faithfulnessChecked()));
        }
        return new Evaluation(corpus, perItem);
    }
}
