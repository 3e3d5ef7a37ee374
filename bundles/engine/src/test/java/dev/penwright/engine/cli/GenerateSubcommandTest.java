package dev.penwright.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;

class GenerateSubcommandTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run run(Engine engine, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int s = new GenerateSubcommand(engine).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(s, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsIdsAndLogprobsAsJson() throws Exception {
        Path dir = tmp.resolve("model");
        int vocab = new BpeTrainer(300, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(List.of("hello world, hello engine"), dir);
        RandomModels.write(dir, new ModelConfig("qwen2", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 64, true, true, -1,
                List.of(0)), 3, "F32", 1);
        try (Engine engine = new Engine()) {
            LanguageModel model = engine.model(dir);
            LoraAdapter adapter = model.createAdapter("s", LoraConfig.of(2, 4, List.of("q_proj", "down_proj")), 1, false);
            Path ad = tmp.resolve("adapter");
            adapter.save(ad);
            adapter.close();

            Run r = run(engine, "--model", dir.toString(), "--adapter", ad.toString(), "--prompt-ids", "5,6,7",
                    "--max-tokens", "5", "--greedy", "--json");
            assertEquals(0, r.status(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            Generation expected = model.generate(new GenerateRequest(new long[] {5, 6, 7}, GenerationOptions.greedy(5),
                    engine.adapter(model, ad)));
            List<Integer> ids = new ArrayList<>();
            j.get("token_ids").forEach(n -> ids.add(n.asInt()));
            assertEquals(expected.tokenIds(), ids);
            assertEquals(expected.logprobs().get(4), j.get("logprobs").get(4).asDouble(), 1e-9);
            assertEquals(2, j.size(), "only token_ids and logprobs for --prompt-ids");

            Run t = run(engine, "--model", dir.toString(), "--prompt", "hello", "--max-tokens", "4", "--json",
                    "--temperature", "0.7", "--seed", "3");
            assertEquals(0, t.status(), t.err());
            JsonNode tj = new ObjectMapper().readTree(t.out());
            assertTrue(tj.has("text") && tj.get("token_ids").size() >= 1, t.out());

            Run bad = run(engine, "--model", tmp.resolve("nowhere").toString(), "--prompt-ids", "1", "--json");
            assertEquals(1, bad.status());
            assertTrue(bad.err().contains("nowhere"), bad.err());
            Run help = run(engine, "--help");
            assertEquals(0, help.status());
            assertTrue(help.out().contains("--prompt-ids"), help.out());
        }
    }
}
