package dev.penwright.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The logic of {@code bench engine}. */
@Command(name = "bench engine", mixinStandardHelpOptions = true,
        description = "Measure decode and prefill speed; with no --model, on a random checkpoint of --shape.")
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

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    private final PrintWriter out;

    public BenchEngineCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> r = new EngineBench(tokens, promptTokens, rank, speculativeOnly, shape, dtype, engineOnly)
                .run(model);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> out.println(k + ": " + v));
        }
        out.flush();
        return 0;
    }
}
