package dev.penwright.engine.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.cli.EngineBench;

class StepProbe {
    @Test
    void steps() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("penwright.bench"));
        Path dir = Files.createTempDirectory("prof");
        ModelConfig c = EngineBench.DEFAULT_SHAPE;
        RandomModels.write(dir, c, 1, "F32", 1);
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.load(c, Checkpoint.open(dir), m);
            for (int b : new int[] {1, 8}) {
                try (KvCache cache = new KvCache(m, c, b, 256)) {
                    long[][] ids = new long[b][1];
                    int[] starts = new int[b];
                    for (int rep = 0; rep < 3; rep++) {
                        long c0 = mx.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        for (int s = 0; s < 50; s++) {
                            for (int r = 0; r < b; r++) {
                                starts[r] = rep * 50 + s;
                            }
                            try (NDScope scope = new NDScope()) {
                                NDArray h = t.forward(ids, starts, cache, 0, LoraBatch.NONE);
                                if (!Boolean.getBoolean("nohead")) {
                                    t.logits(h).toFloatArray();
                                }
                            }
                        }
                        System.out.printf("B=%d step %.2f ms wall, %.2f ms cpu%n", b, (System.nanoTime() - t0) / 50e6,
                                (mx.getCurrentThreadCpuTime() - c0) / 50e6);
                    }
                }
            }
        }
    }
}
