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
        description = "Measure decode and prefill speed; with no --model, on a random d=512, 8-layer model.")
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

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    private final PrintWriter out;

    public BenchEngineCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> r = new EngineBench(tokens, promptTokens, rank, speculativeOnly).run(model);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> out.println(k + ": " + v));
        }
        out.flush();
        return 0;
    }
}
