package dev.penwright.api.eval;

import java.util.List;

/**
 * What one evaluator made of a set of outputs.
 *
 * @param corpus  corpus-level scores (corpus BLEU, mean ROUGE-L, hallucination rates)
 * @param perItem each input's own scores, in input order
 */
public record Evaluation(List<Score> corpus, List<List<Score>> perItem) {
    public Evaluation {
        corpus = List.copyOf(corpus);
        perItem = perItem.stream().map(List::copyOf).toList();
    }
}
