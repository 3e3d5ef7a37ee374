package dev.penwright.trainer.loop;

/**
 * Settings of one training phase.
 *
 * @param maxSteps        optimiser steps (0: decided by {@code minutes})
 * @param minutes         wall-clock budget (0: none); with no {@code maxSteps} the step count is estimated from the
 *                        speed of the first steps so the cosine schedule ends on time
 * @param learningRate    peak learning rate
 * @param warmupSteps     linear warm-up
 * @param minLrRatio      the cosine ends at this fraction of the peak
 * @param weightDecay     AdamW's decoupled decay
 * @param clipNorm        global gradient-norm clip (0: none)
 * @param accumulation    micro-batches per optimiser step
 * @param maxBatchTokens  padded tokens per micro-batch
 * @param maxBatchRows    rows per micro-batch
 * @param evalEvery       validation loss every N steps (0: never)
 * @param patience        early stop after this many validations without improvement (0: never)
 * @param checkpointEvery checkpoint every N steps (0: only at the end)
 * @param seed            data order and dropout
 */
public record LoopConfig(int maxSteps, double minutes, double learningRate, int warmupSteps, double minLrRatio,
                         double weightDecay, double clipNorm, int accumulation, int maxBatchTokens, int maxBatchRows,
                         int evalEvery, int patience, int checkpointEvery, long seed) {
    /** Upper bound on steps when only a time budget is given. */
    public static final int TIME_BUDGET_STEP_CAP = 1_000_000;

    public LoopConfig {
        if (maxSteps < 0 || minutes < 0 || (maxSteps == 0 && minutes == 0)) {
            throw new IllegalArgumentException("give a positive number of steps or minutes");
        }
        if (learningRate <= 0 || accumulation < 1 || maxBatchTokens < 2 || maxBatchRows < 1) {
            throw new IllegalArgumentException("learning rate, accumulation, batch tokens and rows must be positive");
        }
    }

    public static LoopConfig lora(int steps, double minutes, long seed) {
        return new LoopConfig(steps, minutes, 2e-4 * 10, 10, 0.1, 0.0, 1.0, 1, 2048, 8, 50, 5, 100, seed);
    }

    public LoopConfig withSteps(int steps) {
        return new LoopConfig(steps, minutes, learningRate, warmupSteps, minLrRatio, weightDecay, clipNorm,
                accumulation, maxBatchTokens, maxBatchRows, evalEvery, patience, checkpointEvery, seed);
    }

    public LoopConfig withLearningRate(double lr) {
        return new LoopConfig(maxSteps, minutes, lr, warmupSteps, minLrRatio, weightDecay, clipNorm,
                accumulation, maxBatchTokens, maxBatchRows, evalEvery, patience, checkpointEvery, seed);
    }

    public LoopConfig withSchedule(int evalEvery, int patience, int checkpointEvery) {
        return new LoopConfig(maxSteps, minutes, learningRate, warmupSteps, minLrRatio, weightDecay, clipNorm,
                accumulation, maxBatchTokens, maxBatchRows, evalEvery, patience, checkpointEvery, seed);
    }

    public LoopConfig withBatch(int accumulation, int maxBatchTokens, int maxBatchRows) {
        return new LoopConfig(maxSteps, minutes, learningRate, warmupSteps, minLrRatio, weightDecay, clipNorm,
                accumulation, maxBatchTokens, maxBatchRows, evalEvery, patience, checkpointEvery, seed);
    }

    public LoopConfig withWarmup(int warmup) {
        return new LoopConfig(maxSteps, minutes, learningRate, warmup, minLrRatio, weightDecay, clipNorm,
                accumulation, maxBatchTokens, maxBatchRows, evalEvery, patience, checkpointEvery, seed);
    }
}
