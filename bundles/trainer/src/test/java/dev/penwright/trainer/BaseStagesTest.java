package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.trainer.cli.TrainBaseCommand;
import dev.penwright.trainer.jobs.TrainerService;

/** Two-stage base training through the command: raw text from scratch, then --init with --plan-mix. */
class BaseStagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path corpus(Path file, String style, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var o = JSON.createObjectNode();
            o.put("id", style + "-" + i);
            o.put("style", style);
            o.put("title", style + " " + i);
            o.put("text", "The " + style + " entry " + i + " lists " + (2 * i + 3) + " things. Ada wrote it in "
                    + (1980 + i) + ". It is short.");
            o.put("source", "test");
            o.put("license", "CC0-1.0");
            lines.add(JSON.writeValueAsString(o));
        }
        Files.write(file, lines);
        return file;
    }

    @Test
    void secondStageContinuesTheFirstAndLearnsThePromptFormat() throws Exception {
        TrainerService t = CommandsTest.trainer();
        String corpora = corpus(tmp.resolve("notes.jsonl"), "notes", 90) + ","
                + corpus(tmp.resolve("quips.jsonl"), "quips", 35);
        Path stage1 = tmp.resolve("stage1");
        CommandsTest.Result r1 = CommandsTest.run(new TrainBaseCommand(t), "--corpus", corpora, "--shape",
                "d32-l1-h4", "--vocab", "320", "--steps", "10", "--seq-len", "48", "--eval-every", "5",
                "--lr", "5e-3", "--out", stage1.toString());
        assertEquals(0, r1.status(), r1.err());
        JsonNode rep1 = JSON.readTree(stage1.resolve("report.json").toFile());
        assertEquals("scratch", rep1.get("stage").asText());
        for (String c : List.of("notes", "quips")) {
            JsonNode raw = rep1.path("perCorpus").path(c).path("raw");
            assertTrue(raw.get("loss").asDouble() > 0, rep1.toString());
            assertEquals(Math.exp(raw.get("loss").asDouble()), raw.get("perplexity").asDouble(), 1e-6);
            assertTrue(raw.get("tokens").asLong() > 0);
            assertFalse(rep1.path("perCorpus").path(c).has("plan"), "a raw-text run has no plan figures");
        }
        assertEquals(1, rep1.get("stages").size());
        assertTrue(rep1.path("card").path("validation").asText().contains("notes text "), rep1.get("card").toString());

        CommandsTest.Result bad = CommandsTest.run(new TrainBaseCommand(t), "--corpus", corpora, "--init", stage1.toString(), "--shape", "d64-l2", "--steps", "2",
                "--out", tmp.resolve("x").toString());
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("init model's shape"), bad.err());

        Path stage2 = tmp.resolve("stage2");
        CommandsTest.Result r2 = CommandsTest.run(new TrainBaseCommand(t), "--corpus", corpora, "--init",
                stage1.toString(), "--plan-mix", "0.6", "--balance", "--steps", "10", "--seq-len", "48",
                "--eval-every", "0", "--lr", "5e-3", "--json", "--out", stage2.toString());
        assertEquals(0, r2.status(), r2.err());
        assertTrue(r2.out().contains("\"phase\":\"plan\""), "planning progress is shown");
        JsonNode rep2 = JSON.readTree(stage2.resolve("report.json").toFile());
        assertEquals("continued", rep2.get("stage").asText());
        assertFalse(rep2.has("bestValidationLoss"), "--eval-every 0: the loop validates nothing");
        assertEquals(rep1.get("shape"), rep2.get("shape"));
        assertEquals(2, rep2.get("stages").size());
        assertEquals(rep1.get("created"), rep2.get("stages").get(0).get("created"));
        assertEquals("continued", rep2.get("stages").get(1).get("stage").asText());
        for (String c : List.of("notes", "quips")) {
            // Step 0 of stage 2 is the end of stage 1: the same weights score the same validation texts the same.
            double end1 = rep1.path("perCorpus").path(c).path("raw").path("loss").asDouble();
            double start2 = rep2.path("perCorpusBefore").path(c).path("raw").path("loss").asDouble();
            assertEquals(end1, start2, 1e-4, c);
            assertTrue(start2 < rep1.get("firstLoss").asDouble() - 0.5, "stage 2 starts from trained weights");
            JsonNode plan = rep2.path("perCorpus").path(c).path("plan");
            JsonNode planBefore = rep2.path("perCorpusBefore").path(c).path("plan");
            assertTrue(plan.get("tokens").asLong() > 0, rep2.toString());
            assertTrue(plan.get("loss").asDouble() < planBefore.get("loss").asDouble(),
                    c + ": plan→text loss " + planBefore + " -> " + plan);
            JsonNode mix = rep2.path("trainMix").path(c);
            assertTrue(mix.get("planSequences").asInt() > 0, mix.toString());
        }
        int notes = rep2.path("trainMix").path("notes").path("rawSequences").asInt()
                + rep2.path("trainMix").path("notes").path("planSequences").asInt();
        int quips = rep2.path("trainMix").path("quips").path("rawSequences").asInt()
                + rep2.path("trainMix").path("quips").path("planSequences").asInt();
        assertTrue(Math.abs(notes - quips) <= 1, notes + " vs " + quips);
        assertNotEquals(Files.mismatch(stage1.resolve("model.safetensors"), stage2.resolve("model.safetensors")), -1L);
        assertEquals(-1L, Files.mismatch(stage1.resolve("tokenizer.json"), stage2.resolve("tokenizer.json")));
    }

}
