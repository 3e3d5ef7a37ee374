package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.evaluators.Bleu;
import dev.penwright.evaluators.BleuScore;
import dev.penwright.evaluators.BleuTokenizer;

/** BLEU-4 as sacrebleu computes it: corpus BLEU over the inputs with a reference, sentence BLEU per input. */
@Component(service = Evaluator.class, property = Evaluator.ID + "=" + Bleu4Evaluator.ID)
public class Bleu4Evaluator implements Evaluator {
    static final String ID = "bleu4";

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
        List<EvaluationInput> scored = inputs.stream().filter(this::accepts).toList();
        String language = Languages.resolve(scored.stream().map(EvaluationInput::language).toList(),
                scored.stream().map(EvaluationInput::reference).toList());
        Bleu bleu = new Bleu(BleuTokenizer.forLanguage(language));
        List<List<Score>> perItem = new ArrayList<>();
        for (EvaluationInput in : inputs) {
            if (accepts(in)) {
                BleuScore s = bleu.sentence(in.hypothesis(), in.reference());
                perItem.add(List.of(new Score(ID, s.score(), s.signature())));
            } else {
                perItem.add(List.of());
            }
        }
        List<Score> corpus = scored.isEmpty() ? List.of() : List.of(corpusScore(bleu, scored));
        return new Evaluation(corpus, perItem);
    }

    private static Score corpusScore(Bleu bleu, List<EvaluationInput> scored) {
        BleuScore s = bleu.corpus(scored.stream().map(EvaluationInput::hypothesis).toList(),
                scored.stream().map(EvaluationInput::reference).toList());
        return new Score(ID, s.score(), s.signature());
    }
}
