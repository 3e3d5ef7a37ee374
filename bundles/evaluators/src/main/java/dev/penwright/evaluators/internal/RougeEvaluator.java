package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.evaluators.Rouge;

/** ROUGE-L and ROUGE-Lsum F-measures (0-100) per input with a reference, and their means. */
@Component(service = Evaluator.class, property = Evaluator.ID + "=" + RougeEvaluator.ID)
public class RougeEvaluator implements Evaluator {
    static final String ID = "rougeL";
    static final String LSUM = "rougeLsum";

    private final Rouge rouge = new Rouge();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean accepts(EvaluationInput input) {
        return input.reference() != null;
    }

    @Override
    public Evaluation evaluate(List<EvaluationInput> inputs) {
        List<List<Score>> perItem = new ArrayList<>();
        double sumL = 0;
        double sumLsum = 0;
        int n = 0;
        for (EvaluationInput in : inputs) {
            if (!accepts(in)) {
                perItem.add(List.of());
                continue;
            }
            double l = 100 * rouge.rougeL(in.reference(), in.hypothesis()).fmeasure();
            double lsum = 100 * rouge.rougeLsum(in.reference(), in.hypothesis()).fmeasure();
            perItem.add(List.of(new Score(ID, l, rouge.signature(ID)), new Score(LSUM, lsum, rouge.signature(LSUM))));
            sumL += l;
            sumLsum += lsum;
            n++;
        }
        List<Score> corpus = n == 0 ? List.of()
                : List.of(new Score(ID, sumL / n, rouge.signature(ID)), new Score(LSUM, sumLsum / n,
                        rouge.signature(LSUM)));
        return new Evaluation(corpus, perItem);
    }
}
