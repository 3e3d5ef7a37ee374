package dev.penwright.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The logic of {@code generate}: plain picocli, callable without OSGi. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate from a Hugging Face model folder, optionally with a PEFT LoRA adapter.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model folder (config.json, *.safetensors, tokenizer.json)")
    Path model;

    @Option(names = "--adapter", description = "PEFT adapter folder (adapter_config.json, adapter_model.safetensors)")
    Path adapter;

    static final class Prompt {
        @Option(names = "--prompt-ids", split = ",", description = "prompt token ids, comma-separated")
        List<Long> ids;

        @Option(names = "--prompt", description = "prompt text, tokenized with the model's tokenizer")
        String text;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    @Option(names = "--max-tokens", defaultValue = "64", description = "new tokens at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--greedy", description = "argmax decoding (no penalties, no sampling)")
    boolean greedy;

    @Option(names = "--temperature", description = "sampling temperature (0 = greedy; default 0.8)")
    Double temperature;

    @Option(names = "--top-k", description = "keep the k most likely tokens (0 = off; default 50)")
    Integer topK;

    @Option(names = "--top-p", description = "nucleus mass (1 = off; default 0.95)")
    Double topP;

    @Option(names = "--repetition-penalty", description = "CTRL penalty (1 = off; default 1.1)")
    Double repetitionPenalty;

    @Option(names = "--seed", description = "sampling seed (default 0)")
    Long seed;

    @Option(names = "--stop", description = "stop string (repeatable)")
    List<String> stop;

    @Option(names = "--json", description = "print {\"token_ids\": [...], \"logprobs\": [...]} (+ \"text\" with --prompt)")
    boolean json;

    private final Engine engine;
    private final PrintWriter out;

    public GenerateCommand(Engine engine, PrintWriter out) {
        this.engine = engine;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        LanguageModel m = engine.model(model);
        LoraAdapter a = adapter == null ? null : engine.adapter(m, adapter);
        long[] ids;
        if (prompt.ids != null) {
            ids = prompt.ids.stream().mapToLong(Long::longValue).toArray();
        } else {
            ids = m.encode(prompt.text);
        }
        GenerationOptions o = greedy
                ? new GenerationOptions(maxTokens, 0.0, 0, 1.0, 1.0, 0L, stop == null ? List.of() : stop)
                : new GenerationOptions(maxTokens, temperature, topK, topP, repetitionPenalty, seed, stop);
        Generation g = m.generate(new GenerateRequest(ids, o, a));
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("token_ids", g.tokenIds());
            j.put("logprobs", g.logprobs());
            if (prompt.text != null) {
                j.put("text", g.text());
            }
            out.println(new ObjectMapper().writeValueAsString(j));
        } else if (g.text() != null) {
            out.println(g.text());
        } else {
            List<String> s = new ArrayList<>();
            g.tokenIds().forEach(i -> s.add(String.valueOf(i)));
            out.println(String.join(",", s));
        }
        out.flush();
        return 0;
    }
}
