package dev.penwright.planner.extractive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.TokenListener;
import dev.penwright.planner.extractive.ExtractivePlanner;

class PlanSubcommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        PlanSubcommand command = new PlanSubcommand();
        command.addPlanner(new ExtractivePlanner(), Map.of(Planner.ID, "extractive"));
        return command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonPlanOfAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("article.txt");
        Files.writeString(file, "Penwright 1.0 was released on 2026-11-25 in Berlin. It needs 16 GiB of memory.");
        assertEquals(0, run("--json", "--fact", "Free of charge", file.toString()), err());
        JsonNode plan = new ObjectMapper().readTree(out());
        assertEquals("extractive", plan.get("plannerId").asText());
        assertEquals("en", plan.get("language").asText());
        assertEquals("Free of charge", plan.get("keyFacts").get(0).asText());
        assertTrue(plan.get("keyFacts").toString().contains("16 GiB"), out());
        assertEquals(0, plan.get("usage").get("inputTokens").asLong());
    }

    @Test
    void readablePlanOfText() {
        assertEquals(0, run("今天北京下了2024年的第一场雪。", "雪很大！"), err());
        assertTrue(out().contains("Language:  zh"), out());
        assertTrue(out().contains("Key facts:"), out());
        assertTrue(out().contains("2024年"), out());
    }

    @Test
    void unknownPlannerAndMissingInputAreUsageErrors() {
        assertEquals(2, run("--planner", "gpt-9", "some text"));
        assertTrue(err().contains("no planner 'gpt-9'; available: extractive"), err());
        assertEquals(2, run());
        assertTrue(err().contains("FILE|TEXT"), err());
    }

    @Test
    void withoutPlannerThePipelinesDefaultPlans() {
        PlanSubcommand command = new PlanSubcommand();
        command.addPlanner(new ExtractivePlanner(), Map.of(Planner.ID, "extractive"));
        Planner house = new Planner() {
            @Override
            public String id() {
                return "house";
            }

            @Override
            public ContentPlan plan(Material material) {
                return new ContentPlan("House", "", List.of(), material.sourceArticle(), "en", "house", null);
            }
        };
        command.addPlanner(house, Map.of(Planner.ID, "house"));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        // No pipeline: the embedded planner.
        assertEquals(0, command.run(List.of("--json", "some text"), o, e), err());
        assertTrue(out().contains("\"plannerId\" : \"extractive\""), out());
        // A pipeline configured with another default: that one, as /v1/plan does.
        command.generation = new GenerationService() {
            @Override
            public CompletionStage<GenerationResult> generate(GenerationRequest request, TokenListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String defaultPlannerId() {
                return "house";
            }
        };
        out.reset();
        assertEquals(0, command.run(List.of("--json", "some text"), o, e), err());
        assertTrue(out().contains("\"plannerId\" : \"house\""), out());
        out.reset();
        assertEquals(0, command.run(List.of("--json", "--planner", "extractive", "some text"), o, e), err());
        assertTrue(out().contains("\"plannerId\" : \"extractive\""), out());
    }

    @Test
    void helpIsAnswered() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("--planner"), out());
        assertTrue(out().contains("--json"), out());
    }
}
