package dev.penwright.trainer;

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

import dev.penwright.api.cli.Subcommand;
import dev.penwright.engine.LanguageModel;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.trainer.cli.JobsCommand;
import dev.penwright.trainer.cli.TrainBaseCommand;
import dev.penwright.trainer.cli.TrainStyleCommand;
import dev.penwright.trainer.jobs.TrainerService;

class CommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    static Result run(Subcommand c, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = c.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static TrainerService trainer() {
        TrainerService t = new TrainerService();
        t.addPlanner(new ExtractivePlanner());
        return t;
    }

    @Test
    void helpAndBadInput() throws Exception {
        TrainerService t = trainer();
        Result help = run(new TrainStyleCommand(t), "--help");
        assertEquals(0, help.status());
        for (String flag : List.of("--corpus", "--id", "--base", "--minutes", "--steps", "--self-improve", "--dpo",
                "--resume", "--json", "--out", "--deploy", "--background", "--format", "--preferences")) {
            assertTrue(help.out().contains(flag), flag);
        }
        Path model = Tiny.model(tmp.resolve("tiny"), StyleTrainerTest.corpusTexts(), 32, 1, 3);
        Result badFormat = run(new TrainStyleCommand(t), "--corpus",
                StyleTrainerTest.writeCorpus(tmp.resolve("f.jsonl"), StyleTrainerTest.corpusTexts()).toString(),
                "--id", "x", "--base", model.toString(), "--format", "csv", "--out", tmp.resolve("f").toString());
        assertEquals(1, badFormat.status());
        assertTrue(badFormat.err().contains("format must be auto, corpus or alpaca"), badFormat.err());
        // No style-pack registry, so no deploy folder: --deploy says so before any training.
        Result noDeployFolder = run(new TrainStyleCommand(t), "--corpus",
                StyleTrainerTest.writeCorpus(tmp.resolve("d.jsonl"), StyleTrainerTest.corpusTexts()).toString(),
                "--id", "x", "--base", model.toString(), "--deploy", "--out", tmp.resolve("d").toString());
        assertEquals(1, noDeployFolder.status());
        assertTrue(noDeployFolder.err().contains("--deploy: no deploy folder is configured"), noDeployFolder.err());
        Result missing = run(new TrainStyleCommand(t), "--corpus", tmp.resolve("nope.jsonl").toString(), "--id", "x",
                "--out", tmp.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Path corpus = StyleTrainerTest.writeCorpus(tmp.resolve("c.jsonl"), StyleTrainerTest.corpusTexts());
        Result badShape = run(new TrainBaseCommand(t), "--corpus", corpus.toString(), "--shape", "wide", "--out",
                tmp.resolve("m").toString());
        assertEquals(1, badShape.status());
        assertTrue(badShape.err().contains("dWIDTH-lLAYERS"), badShape.err());
        Result failOnBad = run(new TrainBaseCommand(t), "--corpus", corpus.toString(), "--shape", "d32-l1-h4",
                "--steps", "2", "--fail-on-bad-lines", "--out", tmp.resolve("m2").toString());
        assertEquals(1, failOnBad.status());
        assertTrue(failOnBad.err().contains(":21: not JSON"), failOnBad.err());
    }

    /** train base in the background, followed with jobs --json until it is done; the model folder loads. */
    @Test
    void baseTrainingAsABackgroundJob() throws Exception {
        TrainerService t = trainer();
        Path corpus = StyleTrainerTest.writeCorpus(tmp.resolve("c.jsonl"), StyleTrainerTest.corpusTexts());
        Path out = tmp.resolve("tiny-base");
        Result queued = run(new TrainBaseCommand(t), "--corpus", corpus.toString(), "--shape", "d32-l1-h4",
                "--vocab", "320", "--steps", "12", "--seq-len", "32", "--eval-every", "4", "--out", out.toString(),
                "--background", "--json");
        assertEquals(0, queued.status(), queued.err());
        String id = JSON.readTree(queued.out()).get("job").asText();
        JsonNode job = null;
        for (int i = 0; i < 600; i++) {
            job = JSON.readTree(run(new JobsCommand(t), "--json").out()).get(0);
            if (!List.of("QUEUED", "RUNNING").contains(job.get("state").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(id, job.get("job").asText());
        assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(12, report.get("steps").asInt());
        assertTrue(report.get("lastLoss").asDouble() < report.get("firstLoss").asDouble(), report.toString());
        assertTrue(Files.size(out.resolve("loss.png")) > 1000);
        try (LanguageModel m = LanguageModel.load(out)) {
            assertEquals(32, m.config().hiddenSize());
            assertTrue(m.encode("Tiny parser").length > 0);
        }
        assertTrue(run(new JobsCommand(t)).out().contains("SUCCEEDED"));
    }
}
