package dev.penwright.engine;

import org.junit.jupiter.api.Test;
import ai.djl.ndarray.*;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.*;

class ScratchTest {
    @Test
    void indexing() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray cache = m.zeros(new Shape(3, 2, 5, 4));
            NDArray rows = m.create(new long[]{0, 1, 2});
            NDArray pos = m.create(new long[]{1, 3, 0});
            NDArray vals = m.arange(3 * 2 * 4).toType(DataType.FLOAT32, false).reshape(3, 2, 4);
            cache.set(new NDIndex("{}, :, {}", rows, pos), vals);
            System.out.println(cache.get(1).get(":, 3"));
            NDArray view = cache.get(new NDIndex().addSliceDim(0, 2).addAllDim().addSliceDim(0, 4));
            System.out.println(view.getShape());
            view.set(new NDIndex().addSliceDim(0, 1).addAllDim().addSliceDim(0, 1), 7f);
            System.out.println(cache.get("0, :, 0"));
            // timing of tiny ops
            NDArray x = m.randomNormal(new Shape(1, 1, 512));
            NDArray w = m.randomNormal(new Shape(1536, 512));
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10000; i++) {
                    try (NDScope s = new NDScope()) {
                        NDArray y = x.mul(2f);
                    }
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    try (NDScope s = new NDScope()) {
                        NDArray y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
                    }
                }
                long t2 = System.nanoTime();
                System.out.printf("mul %.1f us, linear 512x1536 %.1f us%n", (t1 - t0) / 1e4 / 1e3, (t2 - t1) / 1e3 / 1e3);
            }
        }
    }
}
