package dev.penwright.engine.cli;

import java.util.List;
import java.util.Map;

import dev.penwright.engine.ModelConfig;

/** The named shapes {@code bench engine} draws random checkpoints of when it is given no model folder. */
final class BenchShapes {
    private BenchShapes() {
    }

    /** d=512, 8 layers, 8 heads, FFN 1408, 8k vocabulary: the size of the shipped default model's family. */
    static final ModelConfig D512_L8 = new ModelConfig("llama", 8192, 512, 1408, 8, 8, 8, 64, 10000.0,
            1e-6, 2048, false, false, -1, List.of(0));

    /** Qwen2.5-0.5B as its config.json has it: 494M parameters, GQA 14/2, q/k/v biases, tied embeddings. */
    static final ModelConfig QWEN25_05B = new ModelConfig("qwen2", 151936, 896, 4864, 24, 14, 2, 64, 1_000_000.0,
            1e-6, 32768, true, true, 151643, List.of(151645, 151643));

    static final Map<String, ModelConfig> BY_NAME = Map.of("d512-l8", D512_L8, "qwen2.5-0.5b", QWEN25_05B);

    static ModelConfig named(String name) {
        ModelConfig c = BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown shape '" + name + "' (known: " + String.join(", ",
                    BY_NAME.keySet().stream().sorted().toList()) + ")");
        }
        return c;
    }
}
