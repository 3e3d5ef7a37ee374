package dev.penwright.trainer.style;

import java.io.IOException;

import dev.penwright.trainer.loop.TrainingResult;

/** S-SFT: the planner's plan of each training text → the text, loss on the text only. */
final class SftPhase {
    private final StyleRunContext run;

    SftPhase(StyleRunContext run) {
        this.run = run;
    }

    StyleReports.LoopFigures run() throws IOException {
        Budget.Share share = run.budget.begin("sft");
        // Alone it takes every step; before other phases, 60 % of them.
        TrainingResult sft = run.train("sft", run.trainExamples, run.phases == 1 ? 1.0 : 0.6, share);
        share.stopped(sft.stopReason());
        share.end();
        run.budget.trainingSpeed(sft.tokensPerSecond());
        return StyleReports.LoopFigures.of(sft, run.trainExamples.size(), run.valExamples.size());
    }
}
