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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.engine.PlanContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
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

    @Option(names = "--copy-bias", description = "plan-copy bias: the share 1 - e^-B of the probability of other words "
            + "that moves to the plan's next token (needs --plan-file; default 0 = off)")
    Double copyBias;

    @Option(names = "--fact-guard", description = "forbid numbers, capitalised words and Han characters that neither "
            + "the plan nor --vocabulary-file holds (needs --plan-file; default off)")
    Boolean factGuard;

    @Option(names = "--min-coverage", description = "hold the end back until this fraction (0..1) of the plan's content "
            + "words is written, or the text has twice the plan's tokens (needs --plan-file; default 0 = off)")
    Double minCoverage;

    @Option(names = "--plan-file", description = "UTF-8 file holding the plan the copy-aware options follow")
    Path planFile;

    @Option(names = "--vocabulary-file", description = "UTF-8 file, one word a line, that the fact guard allows "
            + "beside the plan's words (a style pack's vocabulary.txt)")
    Path vocabularyFile;

    @Option(names = "--json", description = "print {\"token_ids\": [...], \"logprobs\": [...]} (+ \"text\" with --prompt)")
    boolean json;

    @Spec
    CommandSpec spec;

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
        PlanContext plan = null;
        try {
            o = o.withCopyAware(copyBias, factGuard, minCoverage);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (o.isCopyAware() && planFile == null) {
            throw new ParameterException(spec.commandLine(),
                    "--copy-bias, --fact-guard and --min-coverage follow a plan: give --plan-file");
        }
        if (planFile != null) {
            String planText = Files.readString(planFile, StandardCharsets.UTF_8);
            long[] planIds = m.encode(planText, false);
            if (planIds.length == 0) {
                throw new ParameterException(spec.commandLine(), planFile + " holds no plan text");
            }
            List<String> vocabulary = vocabularyFile == null ? List.of()
                    : new StyleVocabulary(Files.readAllLines(vocabularyFile, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(w -> !w.isEmpty()).toList()).words();
            plan = new PlanContext(planIds, vocabulary);
        }
        Generation g = m.generate(new GenerateRequest(ids, o, a, null, plan));
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
