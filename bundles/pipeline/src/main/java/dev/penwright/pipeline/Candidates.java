package dev.penwright.pipeline;

import java.util.Comparator;
import java.util.List;

import dev.penwright.api.eval.Score;

/** How best-of-k picks: the highest style score, less the hallucination rates; earlier candidates win ties. */
final class Candidates {
    static final String STYLE = "styleScore";
    static final String FACTUAL = "factualHallucination";
    static final String FAITHFULNESS = "faithfulnessHallucination";

    private Candidates() {
    }

    /** Higher is better. Scores a candidate lacks count as neutral, so an unscored run keeps the first. */
    static double merit(List<Score> scores) {
        double merit = 0;
        for (Score s : scores) {
            switch (s.name()) {
                case STYLE -> merit += s.value();
                case FACTUAL, FAITHFULNESS -> merit -= s.value();
                default -> { }
            }
        }
        return merit;
    }

    static int best(List<List<Score>> scoresOfEach) {
        int best = 0;
        for (int i = 1; i < scoresOfEach.size(); i++) {
            if (merit(scoresOfEach.get(i)) > merit(scoresOfEach.get(best))) {
                best = i;
            }
        }
        return best;
    }

    static final Comparator<List<Score>> BY_MERIT = Comparator.comparingDouble(Candidates::merit);
}
