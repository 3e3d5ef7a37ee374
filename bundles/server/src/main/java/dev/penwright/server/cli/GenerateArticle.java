package dev.penwright.server.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.penwright.api.eval.Score;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.Material;
import dev.penwright.api.style.TokenListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code generate article --style ID "material…"}: plan, style and score one article through the pipeline, the text
 * printed as it is written. Plain picocli, callable without OSGi.
 */
@Command(name = "generate article", mixinStandardHelpOptions = true,
        description = "Write an article in a style from material: plan, style, evaluate (the whole pipeline).")
public final class GenerateArticle implements Callable<Integer> {
    private final GenerationService service;
    private final PrintStream out;

    @Option(names = "--style", defaultValue = "", description = "style id (default: the base model, no adapter)")
    String style;

    @Option(names = "--planner", defaultValue = "", description = "planner id (default: the pipeline's, extractive)")
    String planner;

    @Option(names = "--brief", description = "the brief: what to write")
    String brief;

    @Option(names = "--fact", description = "a fact to keep verbatim (repeatable)")
    List<String> facts;

    @Option(names = "--language", defaultValue = "", description = "BCP 47 tag (default: detect)")
    String language;

    @Option(names = "--max-tokens", description = "new tokens at most")
    Integer maxTokens;

    @Option(names = "--temperature", description = "sampling temperature (0 = greedy)")
    Double temperature;

    @Option(names = "--seed", description = "sampling seed")
    Long seed;

    @Option(names = "--copy-bias", description = "plan-copy bias: the share 1 - e^-B of the probability of other words "
            + "that moves to the draft's next token (0 = off; default: the style's)")
    Double copyBias;

    @Option(names = "--fact-guard", negatable = true, description = "forbid numbers, capitalised words and Han "
            + "characters that neither the plan nor the style's vocabulary holds (default: the style's)")
    Boolean factGuard;

    @Option(names = "--min-coverage", description = "hold the end back until this fraction (0..1) of the plan's content "
            + "words is written, at most until the text has twice the plan's tokens (0 = off; default: the style's)")
    Double minCoverage;

    @Option(names = "--best-of", defaultValue = "1", description = "sample k, keep the best by style and fewest hallucinations")
    int bestOf;

    @Option(names = "--json", description = "print the whole result as JSON")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "MATERIAL", description = "source text to restate")
    List<String> material;

    public GenerateArticle(GenerationService service, PrintStream out) {
        this.service = service;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Material m = new Material(brief, facts, material == null ? "" : String.join(" ", material), language);
        if (m.isEmpty()) {
            out.println("give material: text, --brief or --fact");
            return 2;
        }
        GenerationOptions options;
        try {
            options = new GenerationOptions(maxTokens, temperature, null, null, null, seed, null, copyBias, factGuard,
                    minCoverage);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        GenerationRequest request = new GenerationRequest(style, m, null, planner, options, bestOf);
        TokenListener show = json ? TokenListener.NONE : piece -> {
            out.print(piece);
            out.flush();
        };
        CompletableFuture<GenerationResult> future = service.generate(request, show).toCompletableFuture();
        GenerationResult result;
        try {
            result = future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GenerationException g) {
                out.println((json ? "" : "\n") + "error " + g.code() + ": " + g.getMessage());
                return g.code().equals(GenerationException.INVALID_REQUEST)
                        || g.code().equals(GenerationException.STYLE_NOT_FOUND) ? 2 : 1;
            }
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
            return 0;
        }
        out.println();
        out.println("--");
        out.printf("style %s, model %s, %d tokens in %d ms (plan %d, style %d, evaluate %d)%n",
                result.styleRef().isEmpty() ? "(none)" : result.styleRef(), result.modelId(),
                result.generatedTokens(), result.timings().totalMillis(), result.timings().planMillis(),
                result.timings().styleMillis(), result.timings().evaluateMillis());
        for (Score s : result.scores()) {
            out.printf("%-25s %6.2f%n", s.name(), s.value()); // the longest name, faithfulnessHallucination
        }
        return 0;
    }
}
