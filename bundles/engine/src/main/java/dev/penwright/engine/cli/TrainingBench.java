package dev.penwright.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.TrainingAccess;

/**
 * {@code bench training}: LoRA training steps as {@code train style} takes them (activation recomputation when a plain
 * step's graph would exceed {@link TrainingAccess#GRAPH_BUDGET}), on a model folder or a random checkpoint of a named
 * shape: tokens/s, the arithmetic a token costs, its share of this machine's measured SGEMM rate, and peak RSS.
 */
final class TrainingBench {
    private final ModelConfig shape;
    private final String shapeName;
    private final String dtype;
    private final int tokens;
    private final int rank;
    private final int steps;
    private final Consumer<String> progress;

    TrainingBench(String shape, String dtype, int tokens, int rank, int steps, Consumer<String> progress) {
        this.shape = BenchShapes.named(shape);
        this.shapeName = shape;
        dev.penwright.engine.internal.Safetensors.requireFloatType("--dtype", dtype);
        this.dtype = dtype;
        this.tokens = tokens;
        this.rank = rank;
        this.steps = steps;
        this.progress = progress;
    }

    Map<String, Object> run(Path modelDir) throws IOException {
        Path dir = modelDir;
        Path temp = null;
        if (dir == null) {
            temp = Files.createTempDirectory("penwright-bench-training");
            progress.accept("writing a random checkpoint");
            RandomModels.write(temp, shape, 42, dtype, 1);
            dir = temp;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try (LanguageModel model = LanguageModel.load(dir);
             LoraAdapter adapter = model.createAdapter("bench", LoraConfig.of(rank, 2.0 * rank, LoraConfig.MODULES), 1,
                     true)) {
            ModelConfig c = model.config();
            out.put("model", modelDir == null ? "random " + shapeName + " " + dtype : modelDir.toString());
            out.put("parameters", c.parameterCount());
            out.put("adapter", "rank " + rank + " on " + String.join(", ", LoraConfig.MODULES));
            out.put("tokens_per_step", tokens);
            boolean recompute = TrainingAccess.plainStepBytes(model, 1, tokens) > TrainingAccess.GRAPH_BUDGET;
            out.put("recomputed", recompute);
            out.put("plain_graph_mb", TrainingAccess.plainStepBytes(model, 1, tokens) >> 20);
            Map<String, NDArray> params = adapter.tensors();
            params.values().forEach(p -> p.setRequiresGradient(true));
            Random ids = new Random(7);
            long vocab = Math.min(c.vocabSize(), 8000);
            List<Double> seconds = new ArrayList<>();
            for (int s = 0; s <= steps; s++) {
                long[][] in = new long[1][tokens];
                long[][] target = new long[1][tokens];
                float[][] weights = new float[1][tokens];
                for (int i = 0; i < tokens; i++) {
                    in[0][i] = ids.nextInt((int) vocab);
                    target[0][i] = ids.nextInt((int) vocab);
                    weights[0][i] = -1f / tokens;
                }
                progress.accept((s == 0 ? "warm-up step" : "step " + s + " of " + steps) + " (" + tokens + " tokens)");
                long t0 = System.nanoTime();
                step(model, adapter, in, target, weights, recompute);
                if (s > 0) {
                    seconds.add((System.nanoTime() - t0) / 1e9);
                }
                for (NDArray p : params.values()) {
                    NDArray g = p.getGradient();
                    g.subi(g);
                }
            }
            params.values().forEach(p -> p.setRequiresGradient(false));
            double best = seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double median = seconds.stream().sorted().toList().get(seconds.size() / 2);
            out.put("step_seconds", seconds.stream().map(TrainingBench::round).toList());
            out.put("tokens_per_s", round(tokens / median));
            // What a token costs: a forward pass (2 FLOP a weight of every matrix on its path, the output head
            // included, the embedding lookup not), the backward's input gradients (2 more) and, recomputed, a second
            // forward (2 more) or, plain, nothing; attention's products over the context (4·T·width a layer forward,
            // twice that backward, avg T/2 keys). 6·N is the usual count for full training; here it is what runs.
            long matmul = c.parameterCount() - (c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * c.hiddenSize());
            double attention = 4.0 * c.numLayers() * c.queryWidth() * tokens / 2.0;
            double perToken = (recompute ? 3 : 2) * (2.0 * matmul + attention) + 2.0 * attention / 2;
            out.put("flops_per_token", Math.round(perToken));
            out.put("flops_basis", recompute ? "forward + recomputed forward + input gradients: 6 per matrix weight"
                    : "forward + input gradients: 4 per matrix weight");
            double sgemm = EngineBench.measuredMatmulFlops(model);
            out.put("measured_sgemm_gflops", round(sgemm / 1e9));
            out.put("sgemm_fraction", EngineBench.round4(tokens / median * perToken / sgemm));
            out.put("intra_op_threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
            out.put("load_average", ProcessFigures.loadAverage());
            out.put("peak_rss_mb", ProcessFigures.peakRssMb());
        } finally {
            if (temp != null) {
                try (var files = Files.walk(temp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** One step's forward and backward: recomputed layer by layer, or one graph over the whole pass. */
    private static void step(LanguageModel model, LoraAdapter adapter, long[][] in, long[][] target, float[][] weights,
                             boolean recompute) {
        try (NDScope scope = new NDScope();
             GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            if (recompute) {
                TrainingAccess.recomputedBackward(model, in, target, weights, adapter, 0.05, new Random(1), gc);
                return;
            }
            adapter.invalidate();
            NDArray logits = TrainingAccess.logits(model, in, adapter, 0.05, new Random(1));
            NDManager m = logits.getManager();
            NDArray index = m.create(target[0], new Shape(1, target[0].length, 1));
            NDArray lp = logits.logSoftmax(-1).gather(index, 2).reshape(1, target[0].length);
            gc.backward(lp.mul(m.create(weights[0], new Shape(1, weights[0].length))).sum());
            adapter.invalidate();
        }
    }
}
