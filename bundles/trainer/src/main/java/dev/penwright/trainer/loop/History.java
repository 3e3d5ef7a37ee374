package dev.penwright.trainer.loop;

import java.util.ArrayList;
import java.util.List;

/** Losses of a run, for the report and the chart; saved in every checkpoint so a resumed run keeps its curve. */
public final class History {
    /** One optimiser step. */
    public record StepPoint(int step, double loss, double learningRate, double tokensPerSecond) {
    }

    /** One validation. */
    public record EvalPoint(int step, double loss) {
    }

    public final List<StepPoint> steps = new ArrayList<>();
    public final List<EvalPoint> evals = new ArrayList<>();
}
