package dev.penwright.api.train;

/**
 * One progress report: what the shell's bar and the HTTP JSON lines show.
 *
 * @param jobId           the job
 * @param state           where it stands
 * @param phase           such as tokenizer, base, sft, self-improve-2, dpo, pack
 * @param step            optimiser steps done in this phase
 * @param totalSteps      steps planned in this phase (0 when unknown)
 * @param loss            the latest training loss (NaN before the first step)
 * @param learningRate    the current learning rate
 * @param tokensPerSecond training throughput
 * @param etaSeconds      estimated seconds left in this phase (-1 when unknown)
 * @param message         a human line, or the error when failed
 */
public record JobProgress(String jobId, JobState state, String phase, long step, long totalSteps, double loss,
                          double learningRate, double tokensPerSecond, long etaSeconds, String message) {
}
