package dev.penwright.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The logic of {@code bench engine}. */
@Command(name = "bench engine", mixinStandardHelpOptions = true,
        description = {"Measure the engine against a PyTorch eager decoder with a KV cache on the same checkpoint, in "
                + "one run (interleaved rounds, medians): greedy-id parity, decode tok/s at batch 1 and 8, 8 different "
                + "adapters, prefill, peak RSS, and the batch-1 limit set by the measured memory bandwidth.",
                "With no --model, on a random checkpoint of --shape. PyTorch is skipped with a line when no Python "
                + "can import torch."})
public final class BenchEngineCommand implements Callable<Integer> {
    @Option(names = "--model", description = "model folder; default: a random llama of d=512, 8 layers, 8 heads, vocab 8192")
    Path model;

    @Option(names = "--tokens", defaultValue = "128", description = "tokens decoded a row (default ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--prompt-tokens", defaultValue = "256", description = "prompt length for prefill (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--adapter-rank", defaultValue = "16", description = "rank of the 8 random adapters (default ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--speculative-only", description = "measure only plan-lookup speculative decoding against "
            + "one-token steps (the \"speculative\" figures), skipping the rest")
    boolean speculativeOnly;

    @Option(names = "--shape", defaultValue = "d512-l8", description = "shape of the random checkpoint used without "
            + "--model: d512-l8 or qwen2.5-0.5b (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--dtype", defaultValue = "F32", description = "dtype the random checkpoint is stored in: F32, F16 "
            + "or BF16 (default ${DEFAULT-VALUE}); F16/BF16 checkpoints stay half precision in memory")
    String dtype;

    @Option(names = "--engine-only", description = "only the engine's decode at batch 1 and 8, prefill and peak RSS (no "
            + "yardstick, adapters or speculative rows): what a real shape's memory is measured with")
    boolean engineOnly;

    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads of the engine and of PyTorch "
            + "(torch.set_num_threads, OMP/OPENBLAS_NUM_THREADS); 0 keeps each one's default (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--python", description = "the Python (with torch) to run the PyTorch decoder with; default: the "
            + "penwright.python property, else /usr/bin/python3, else python3 on PATH, whichever imports torch")
    String python;

    @Option(names = "--torch-dtype", defaultValue = "auto", description = "PyTorch's weights: stored (the "
            + "checkpoint's dtype), F32, or auto: stored unless it is half and this CPU has no native matmul in it, "
            + "then F32 (default ${DEFAULT-VALUE})")
    String torchDtype;

    @Option(names = "--rounds", defaultValue = "3", description = "interleaved engine/PyTorch rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--yardstick", description = "instead of PyTorch, compare with the plain DJL decoder written here "
            + "(cli/PlainDecoder) in the same process, with the speculative and FLOP-fraction rows (the old default)")
    boolean yardstick;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    private final PrintWriter out;

    public BenchEngineCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (threads > 0) {
            // The engine may already be running (the runtime's own model): set the count on libtorch directly
            // instead of through the ai.djl.pytorch.num_threads property, which is read once at start.
            ai.djl.engine.Engine.getEngine("PyTorch");
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        PrintWriter progress = spec == null ? null : spec.commandLine().getErr();
        Map<String, Object> r = new EngineBench(tokens, promptTokens, rank, speculativeOnly, shape, dtype, engineOnly,
                new EngineBench.Comparison(python, threads, rounds, yardstick, torchDtype, progress)).run(model);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            BenchTable.print(r, out);
        }
        out.flush();
        return 0;
    }
}
