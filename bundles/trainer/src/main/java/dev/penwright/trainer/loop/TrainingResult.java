package dev.penwright.trainer.loop;

/**
 * How a phase ended.
 *
 * @param steps           optimiser steps done
 * @param stopReason      steps, time, early-stop or cancelled
 * @param firstLoss       mean training loss of the first steps
 * @param lastLoss        mean training loss of the last steps
 * @param bestValLoss     best validation loss (NaN when never validated)
 * @param keptStep        the step whose weights the phase ended with: the best validated one (the last step when
 *                        validation never ran or the last was best)
 * @param tokensPerSecond training tokens (inputs, padding excluded) per second of this run
 * @param trainedTokens   tokens processed over the whole phase, resumed runs included
 * @param seconds         wall time of this run
 */
public record TrainingResult(int steps, String stopReason, double firstLoss, double lastLoss, double bestValLoss, int keptStep,
                             double tokensPerSecond, long trainedTokens, double seconds, History history) {
}
