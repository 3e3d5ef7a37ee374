package dev.penwright.trainer.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Option;

/** Loop options shared by {@code train style} and {@code train base}. */
public final class TrainOptions {
    @Option(names = "--steps", description = "Optimiser steps (default: 200 style, 1000 base; with --minutes only, fitted to the time).")
    Integer steps;
    @Option(names = "--minutes", description = "Wall-clock budget in minutes. train style: the whole run (planning, "
            + "S-SFT, self-improvement sampling and training, C-DPO, evaluation), shared by the rule in report.json's budget.")
    Double minutes;
    @Option(names = "--lr", description = "Peak learning rate.")
    Double lr;
    @Option(names = "--warmup", description = "Warm-up steps.")
    Integer warmup;
    @Option(names = "--accumulation", description = "Micro-batches per optimiser step.")
    Integer accumulation;
    @Option(names = "--batch-tokens", description = "Padded tokens per micro-batch.")
    Integer batchTokens;
    @Option(names = "--batch-rows", description = "Rows per micro-batch.")
    Integer batchRows;
    @Option(names = "--eval-every", description = "Validation loss every N steps (0: never).")
    Integer evalEvery;
    @Option(names = "--patience", description = "Early stop after N validations without improvement (0: never).")
    Integer patience;
    @Option(names = "--checkpoint-every", description = "Checkpoint every N steps.")
    Integer checkpointEvery;
    @Option(names = "--seed", description = "Seed of data order, initialisation and dropout.")
    Integer seed;
    @Option(names = "--resume", description = "Continue from the output folder's latest checkpoints.")
    boolean resume;
    @Option(names = "--fail-on-bad-lines", description = "Fail the run on a bad data line (default: skip and report it).")
    boolean failOnBadLines;

    Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "steps", steps);
        put(m, "minutes", minutes);
        put(m, "lr", lr);
        put(m, "warmup", warmup);
        put(m, "accumulation", accumulation);
        put(m, "batchTokens", batchTokens);
        put(m, "batchRows", batchRows);
        put(m, "evalEvery", evalEvery);
        put(m, "patience", patience);
        put(m, "checkpointEvery", checkpointEvery);
        put(m, "seed", seed);
        if (resume) {
            m.put("resume", "true");
        }
        m.put("onBadLine", failOnBadLines ? "fail" : "skip");
        return m;
    }

    static void put(Map<String, String> m, String k, Object v) {
        if (v != null) {
            m.put(k, v.toString());
        }
    }
}
