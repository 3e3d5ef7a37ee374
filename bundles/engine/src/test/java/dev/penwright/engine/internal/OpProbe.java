package dev.penwright.engine.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

class OpProbe {
    @Test
    void ops() {
        Assumptions.assumeTrue(Boolean.getBoolean("penwright.bench"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray cacheK = m.zeros(new Shape(1, 8, 64, 256));
            NDArray cacheV = m.zeros(new Shape(1, 8, 256, 64));
            NDArray x = m.randomNormal(new Shape(1, 1, 512));
            NDArray qkvW = m.randomNormal(new Shape(1536, 512));
            NDArray rows = m.create(new long[] {0});
            NDArray pos = m.create(new long[] {100});
            NDArray kt = m.randomNormal(new Shape(1, 8, 64));
            NDArray q = m.randomNormal(new Shape(1, 8, 1, 64));
            NDArray rot = m.randomNormal(new Shape(1, 1, 64, 64));
            NDArray heads = m.randomNormal(new Shape(1, 1, 8, 64));
            NDArray w = m.randomNormal(new Shape(512));
            Map<String, Supplier<Object>> ops = new LinkedHashMap<>();
            ops.put("mul", () -> x.mul(2f));
            ops.put("linear qkv", () -> x.getNDArrayInternal().linear(x, qkvW, null));
            ops.put("set adv", () -> { cacheK.set(new NDIndex("{}, :, :, {}", rows, pos), kt); return null; });
            ops.put("get window", () -> cacheK.get(new NDIndex().addSliceDim(0, 1).addAllDim().addAllDim().addSliceDim(0, 120)));
            ops.put("scores", () -> q.matMul(cacheK.get(new NDIndex().addSliceDim(0, 1).addAllDim().addAllDim().addSliceDim(0, 120))));
            ops.put("rope", () -> heads.matMul(rot));
            ops.put("rms", () -> x.square().mean(new int[] {-1}, true).add(1e-6f).pow(-0.5f).mul(x).mul(w));
            ops.put("split", () -> x.reshape(1, 1, 8, 64).split(new long[] {2, 4}, 2));
            ops.put("softmax", () -> q.softmax(3));
            ops.put("reshape", () -> q.reshape(1, 1, 512));
            ops.put("create 4k", () -> m.create(new float[4096], new Shape(1, 1, 64, 64)));
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(4096 * 4).order(java.nio.ByteOrder.nativeOrder());
            ops.put("create direct", () -> { direct.clear(); direct.asFloatBuffer().put(new float[4096]); return m.create(direct, new Shape(1, 1, 64, 64), ai.djl.ndarray.types.DataType.FLOAT32); });
            ops.put("create long1", () -> m.create(new long[] {5}));
            ops.put("create 64", () -> m.create(new float[64], new Shape(1, 64)));
            NDArray table = m.randomNormal(new Shape(2048, 64, 64));
            ops.put("gather rot", () -> table.get(new NDIndex("{}", m.create(new long[] {7}))));
            for (int rep = 0; rep < 2; rep++) {
                for (var e : ops.entrySet()) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 2000; i++) {
                        try (NDScope s = new NDScope()) {
                            e.getValue().get();
                        }
                    }
                    System.out.printf("%-12s %.1f us%n", e.getKey(), (System.nanoTime() - t0) / 2000e3);
                }
            }
        }
    }
}
