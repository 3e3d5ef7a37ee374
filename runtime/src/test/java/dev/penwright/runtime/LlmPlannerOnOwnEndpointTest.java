package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM planner pointed at Penwright's own OpenAI-compatible endpoint, configured live through etc/ as an
 * administrator would: a real langchain4j client, a real HTTP round trip, a real (tiny, random) model answering. Such a
 * model never writes a valid JSON plan, so this is the "always invalid output" case end to end: one planner falls back
 * to the extractive planner (keeping the tokens the LLM spent), the other fails with the documented error.
 */
class LlmPlannerOnOwnEndpointTest {
    private static final String MATERIAL = "{\"material\": \"Debian 12 was released on 10 June 2023. "
            + "It ships 64,419 packages and the \\\"bookworm\\\" codename.\"";

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, "tiny");
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1",
                Map.of());
        String endpoint = "http://127.0.0.1:" + server.port + "/v1";
        for (String[] planner : new String[][] {{"self", "fallback"}, {"strict", "fail"}}) {
            Files.writeString(server.home.resolve("etc/dev.penwright.planner.llm-" + planner[0] + ".cfg"),
                    "id = " + planner[0] + "\nprovider = openai\nbaseUrl = " + endpoint + "\nmodel = tiny\n"
                            + "apiKey = not-needed-on-loopback\nmaxRetries = 1\ntimeoutSeconds = 120\n"
                            + "onInvalid = " + planner[1] + "\n");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode planners = ServerProcess.json(server.get("/v1/plan")).path("planners");
            if (planners.toString().contains("\"self\"") && planners.toString().contains("\"strict\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the configured LLM planners never registered:\n" + server.log());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void invalidAnswersFromTheRealEndpointFallBackToTheExtractivePlanner() throws Exception {
        var response = server.post("/v1/plan", MATERIAL + ", \"planner\": \"self\"}");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode plan = ServerProcess.json(response).path("plan");
        assertEquals("extractive", plan.path("plannerId").asText());
        assertTrue(plan.path("keyFacts").toString().contains("64,419"), plan.toString());
        assertTrue(plan.path("usage").path("inputTokens").asLong() > 0,
                "the LLM was asked (its tokens are counted): " + plan.path("usage"));
    }

    @Test
    void orFailWithTheDocumentedError() throws Exception {
        var response = server.post("/v1/plan", MATERIAL + ", \"planner\": \"strict\"}");
        assertEquals(422, response.statusCode(), response.body());
        assertEquals("planning_failed", ServerProcess.errorCode(response));
        assertTrue(ServerProcess.json(response).path("error").path("message").asText().contains("no valid plan"),
                response.body());
    }
}
