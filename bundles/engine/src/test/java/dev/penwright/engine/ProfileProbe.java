package dev.penwright.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.cli.EngineBench;

class ProfileProbe {
    @Test
    void profile() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("penwright.bench"));
        Path dir = Files.createTempDirectory("prof");
        RandomModels.write(dir, EngineBench.DEFAULT_SHAPE, 1, "F32", 1);
        try (LanguageModel m = LanguageModel.load(dir); NDManager nm = NDManager.newBaseManager()) {
            for (int rep = 0; rep < 3; rep++) {
                var mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                Generation g = m.generateAll(List.of(new GenerateRequest(new long[] {1, 2, 3}, GenerationOptions.greedy(100), null)), 1).get(0);
                long t1 = System.nanoTime();
                System.out.printf("generate 100: %.1f ms/token, cpu %.2f ms/token%n", (t1 - t0) / 1e6 / 100, (mx.getCurrentThreadCpuTime() - c0) / 1e6 / 100);
            }
            NDArray x = nm.randomNormal(new Shape(1, 1, 512));
            NDArray w = nm.randomNormal(new Shape(1408 * 2, 512));
            NDArray lm = nm.randomNormal(new Shape(8192, 512));
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    try (NDScope s = new NDScope()) {
                        x.mul(2f);
                    }
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 200; i++) {
                    try (NDScope s = new NDScope()) {
                        x.getNDArrayInternal().linear(x, w, null);
                    }
                }
                long t2 = System.nanoTime();
                for (int i = 0; i < 200; i++) {
                    try (NDScope s = new NDScope()) {
                        x.getNDArrayInternal().linear(x, lm, null).singletonOrThrow().toFloatArray();
                    }
                }
                long t3 = System.nanoTime();
                System.out.printf("mul %.1f us, gateup linear %.1f us, lm head %.1f us%n", (t1 - t0) / 1e3 / 1e3,
                        (t2 - t1) / 200e3, (t3 - t2) / 200e3);
            }
        }
    }
}
