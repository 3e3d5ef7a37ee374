package dev.penwright.evaluators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class EvalSubcommandTest {
    private final EvalSubcommand command = new EvalSubcommand();

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, """
                {"id": "p1", "hypothesis": "the cat sat on the mat", "reference": "the cat is on the mat"}
                {"id": "p2", "hypothesis": "the cat", "reference": "the cat sat on the mat", "source": "A cat sat on a mat in 1999."}
                """);
        Run r = run("--pairs", file.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        // Corpus: 1-grams 5+2 / 6+2, 2-grams 3+1 / 5+1, 3-grams 1 / 4, 4-grams 0 / 3 -> exp: 100 / (2 * 3);
        // lengths 8 / 12 -> BP exp(1 - 12/8).
        double expected = Math.exp(1 - 12.0 / 8) * Math.exp((Math.log(700.0 / 8) + Math.log(400.0 / 6)
                + Math.log(25) + Math.log(100.0 / 6)) / 4);
        assertEquals(expected, j.get("bleu4").asDouble(), 1e-4);
        // ROUGE-L: p1 LCS 5 of 6 each way; p2 P = 2/2, R = 2/6, F = 2PR / (P + R).
        assertEquals((500.0 / 6 + 100 * 2 * (2.0 / 6) / (1 + 2.0 / 6)) / 2, j.get("rougeL").asDouble(), 1e-4);
        assertEquals("en", j.get("lang").asText());
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|impl:penwright",
                j.at("/signatures/bleu4").asText());
        assertEquals(2, j.get("items").size());
        assertEquals("p2", j.at("/items/1/id").asText());
        assertEquals(100 * Math.exp(-2), j.at("/items/1/bleu4").asDouble(), 1e-4);
        assertTrue(j.at("/items/1/unsupportedFacts").isArray());
        assertTrue(j.at("/items/0/unsupportedFacts").isMissingNode());
    }

    @Test
    void chineseIsDetectedAndTableIsPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("zh.jsonl");
        Files.writeString(file, "{\"id\":\"z\",\"hypothesis\":\"我爱北京\",\"reference\":\"我爱北京天安门\"}\n");
        Run r = run("--pairs", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("lang zh"), r.out());
        assertTrue(r.out().contains("tok:zh"), r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%.2f", 100 * Math.exp(1 - 7.0 / 4))),
                r.out());
    }

    @Test
    void badLineIsAClearError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"hypothesis\":\"h\",\"reference\":\"r\"}\n{\"id\":\"b\"}\n");
        Run r = run("--pairs", file.toString(), "--json");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("bad.jsonl:2: missing \"hypothesis\""), r.err());
        assertEquals("", r.out());
    }

    @Test
    void usageErrorsAndHelp() throws Exception {
        assertEquals(2, run().status());
        assertEquals(2, run("--pairs", "x.jsonl", "--lang", "fr").status());
        Run help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--pairs"), help.out());
    }
}
