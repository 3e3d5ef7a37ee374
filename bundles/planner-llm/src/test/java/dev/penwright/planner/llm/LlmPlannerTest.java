package dev.penwright.planner.llm;

import static dev.penwright.planner.llm.ChatCompletionsServer.COMPLETION_TOKENS;
import static dev.penwright.planner.llm.ChatCompletionsServer.PROMPT_TOKENS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.plan.TokenUsage;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.planner.llm.ChatCompletionsServer.Step;

/** The LLM planner against a real HTTP server speaking the OpenAI chat-completions (and Ollama chat) protocol. */
class LlmPlannerTest {
    private static final String API_KEY = "sk-test-0123456789";
    private static final String GOOD = """
            {"title": "Penwright 1.0", "summary": "Penwright 1.0 ships on 2026-11-25.",
             "keyFacts": ["Penwright 1.0 ships on 2026-11-25", "It runs on 2 cores"],
             "neutralDraft": "Penwright 1.0 ships on 2026-11-25. It runs on 2 cores.", "language": "en"}""";
    private static final Material MATERIAL = new Material("Announce Penwright 1.0, which ships on 2026-11-25.",
            List.of("It runs on 2 cores", "Price: 0 EUR"), "", "");

    private ChatCompletionsServer server;

    @BeforeEach
    void start() throws Exception {
        server = new ChatCompletionsServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private PlannerSettings settings(Object... overrides) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("id", "gpt-test");
        p.put("provider", "openai");
        p.put("baseUrl", server.openAiBaseUrl());
        p.put("model", "planner-model");
        p.put("apiKey", API_KEY);
        p.put("timeoutSeconds", "5");
        p.put("maxRetries", "2");
        for (int i = 0; i < overrides.length; i += 2) {
            p.put((String) overrides[i], overrides[i + 1]);
        }
        return PlannerSettings.fromProperties(p, Map.of("PEN_TEST_KEY", "sk-from-env-42")::get);
    }

    private static LlmPlanner planner(PlannerSettings s) {
        return new LlmPlanner(s, ChatModels.create(s), ExtractivePlanner::new);
    }

    private static String userMessage(JsonNode request, int index) {
        List<String> users = new ArrayList<>();
        request.get("messages").forEach(m -> {
            if (m.get("role").asText().equals("user")) {
                users.add(m.get("content").asText());
            }
        });
        return users.get(index);
    }

    @Test
    void goodJsonGivesThePlanWithUsageAndTheMaterialFactsVerbatim() throws Exception {
        server.then(Step.reply(GOOD));
        ContentPlan plan = planner(settings()).plan(MATERIAL);
        assertEquals("Penwright 1.0", plan.title());
        assertEquals("gpt-test", plan.plannerId());
        assertEquals("en", plan.language());
        assertEquals(new TokenUsage(PROMPT_TOKENS, COMPLETION_TOKENS), plan.usage());
        // "Price: 0 EUR" was dropped by the model: the planner puts it back, verbatim, first.
        assertEquals(List.of("Price: 0 EUR", "Penwright 1.0 ships on 2026-11-25", "It runs on 2 cores"),
                plan.keyFacts());
        assertEquals(1, server.requests().size());
        JsonNode request = server.requests().get(0);
        assertEquals("planner-model", request.get("model").asText());
        assertEquals("json_object", request.path("response_format").path("type").asText());
        assertTrue(userMessage(request, 0).contains("Announce Penwright 1.0"));
        assertTrue(userMessage(request, 0).contains("- Price: 0 EUR"));
        assertEquals("Bearer " + API_KEY, server.authorizations().get(0));
    }

    @Test
    void theEndpointAsPlainChatSendsProseRequestsAndRetriesTransientErrors() throws Exception {
        server.then(Step.error(503, "overloaded"), Step.reply("A text in the voice."));
        LlmChat chat = new LlmChat(settings("jsonMode", "true"));
        assertEquals("gpt-test", chat.id());
        assertEquals("A text in the voice.", chat.chat("Be brief.", "Write it.", 77));
        assertEquals(2, server.requests().size());
        JsonNode request = server.requests().get(1);
        assertEquals("planner-model", request.get("model").asText());
        // No JSON mode for prose, whatever the planner uses; the token bound is passed on.
        assertTrue(request.path("response_format").isMissingNode(), request.toString());
        assertEquals(77, request.path("max_tokens").asInt(request.path("max_completion_tokens").asInt()));
        assertEquals("system", request.at("/messages/0/role").asText());
        assertEquals("Write it.", userMessage(request, 0));

        server.then(Step.error(401, "bad key"));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> chat.chat("", "Write it.", 0));
        assertTrue(e.getMessage().startsWith("endpoint 'gpt-test': "), e.getMessage());
        assertFalse(e.getMessage().contains(API_KEY));
    }

    @Test
    void jsonInsideAMarkdownFenceIsAccepted() throws Exception {
        server.then(Step.reply("Here is the plan:\n```json\n" + GOOD + "\n```"));
        assertEquals("Penwright 1.0", planner(settings()).plan(MATERIAL).title());
    }

    @Test
    void badJsonThenGoodIsRetriedWithTheProblemShownToTheModel() throws Exception {
        server.then(Step.reply("Sure! The plan is: title Penwright, facts: ships soon."), Step.reply(GOOD));
        ContentPlan plan = planner(settings()).plan(MATERIAL);
        assertEquals("Penwright 1.0", plan.title());
        assertEquals(new TokenUsage(2L * PROMPT_TOKENS, 2L * COMPLETION_TOKENS), plan.usage());
        assertEquals(2, server.requests().size());
        JsonNode second = server.requests().get(1);
        // system, user, the bad answer as the assistant's turn, the correction.
        assertEquals(4, second.get("messages").size());
        assertEquals("assistant", second.get("messages").get(2).get("role").asText());
        assertTrue(second.get("messages").get(2).get("content").asText().startsWith("Sure!"));
        assertTrue(userMessage(second, 1).contains("no JSON object"), userMessage(second, 1));
    }

    @Test
    void alwaysInvalidFailsAfterTheBoundedRetriesWithAClearError() throws Exception {
        server.then(Step.reply("{\"title\": \"T\", \"summary\": \"S\", \"keyFacts\": [], \"neutralDraft\": \"D\","
                + " \"language\": \"en\"}"));
        PlanningException e = assertThrows(PlanningException.class, () -> planner(settings()).plan(MATERIAL));
        assertTrue(e.getMessage().contains("gave no valid plan in 3 attempt(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("keyFacts is empty"), e.getMessage());
        assertEquals(3, server.requests().size());
    }

    @Test
    void alwaysInvalidFallsBackToTheExtractivePlannerWhenConfigured() throws Exception {
        server.then(Step.reply("{\"title\": 42}"));
        ContentPlan plan = planner(settings("onInvalid", "fallback", "maxRetries", "1")).plan(MATERIAL);
        assertEquals("extractive", plan.plannerId());
        assertEquals(new TokenUsage(2L * PROMPT_TOKENS, 2L * COMPLETION_TOKENS), plan.usage());
        assertTrue(plan.keyFacts().containsAll(MATERIAL.facts()), plan.keyFacts()::toString);
        assertEquals(2, server.requests().size());
    }

    @Test
    void fallbackWithoutTheExtractivePlannerSaysSo() throws Exception {
        server.then(Step.reply("not json"));
        PlannerSettings s = settings("onInvalid", "fallback", "maxRetries", "0");
        LlmPlanner planner = new LlmPlanner(s, ChatModels.create(s), () -> null);
        PlanningException e = assertThrows(PlanningException.class, () -> planner.plan(MATERIAL));
        assertTrue(e.getMessage().contains("fallback planner 'extractive' is not available"), e.getMessage());
    }

    @Test
    void aSlowEndpointTimesOut() throws Exception {
        server.then(Step.reply(GOOD).after(3_000));
        long start = System.nanoTime();
        PlanningException e = assertThrows(PlanningException.class,
                () -> planner(settings("timeoutSeconds", "1", "maxRetries", "0")).plan(MATERIAL));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().contains("no answer within 1 s"), e.getMessage());
        assertTrue(seconds < 2.5, "took " + seconds + " s");
    }

    @Test
    void http401FailsAtOnceWithoutRetryAndWithoutTheKey() throws Exception {
        server.then(Step.error(401, "Incorrect API key provided: " + API_KEY));
        PlanningException e = assertThrows(PlanningException.class, () -> planner(settings()).plan(MATERIAL));
        assertTrue(e.getMessage().contains("rejected the credentials (HTTP 401)"), e.getMessage());
        assertFalse(e.getMessage().contains(API_KEY), e.getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void anEndpointThatIsNotThereIsNamed() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // free, and closed again: nothing listens there
        }
        PlanningException e = assertThrows(PlanningException.class, () -> planner(settings("baseUrl",
                "http://127.0.0.1:" + port + "/v1", "maxRetries", "1")).plan(MATERIAL));
        assertTrue(e.getMessage().contains("cannot reach endpoint http://127.0.0.1:" + port), e.getMessage());
        ContentPlan plan = planner(settings("baseUrl", "http://127.0.0.1:" + port + "/v1", "maxRetries", "0",
                "onError", "fallback")).plan(MATERIAL);
        assertEquals("extractive", plan.plannerId());
    }

    @Test
    void http429IsRetriedAndThenSucceeds() throws Exception {
        server.then(Step.error(429, "Rate limit reached"), Step.reply(GOOD));
        ContentPlan plan = planner(settings()).plan(MATERIAL);
        assertEquals("gpt-test", plan.plannerId());
        assertEquals(2, server.requests().size());
    }

    @Test
    void http429ThatPersistsFailsAfterTheRetries() throws Exception {
        server.then(Step.error(429, "Rate limit reached"));
        PlanningException e = assertThrows(PlanningException.class,
                () -> planner(settings("maxRetries", "1")).plan(MATERIAL));
        assertTrue(e.getMessage().contains("rate limiting (HTTP 429)"), e.getMessage());
        assertEquals(2, server.requests().size());
    }

    @Test
    void http500FailsOrFallsBackAsConfigured() throws Exception {
        server.then(Step.error(500, "The server had an error"));
        PlanningException e = assertThrows(PlanningException.class,
                () -> planner(settings("maxRetries", "1")).plan(MATERIAL));
        assertTrue(e.getMessage().contains("failed (HTTP 500)"), e.getMessage());
        assertEquals(2, server.requests().size());
        ContentPlan plan = planner(settings("maxRetries", "0", "onError", "fallback")).plan(MATERIAL);
        assertEquals("extractive", plan.plannerId());
        assertEquals(TokenUsage.NONE, plan.usage());
    }

    @Test
    void concurrencyIsLimited() throws Exception {
        server.then(Step.reply(GOOD).after(300));
        assertEquals(1, maxInFlightWith(1));
        assertTrue(maxInFlightWith(3) >= 2, "the limit of 3 let no two plans run together");
    }

    private int maxInFlightWith(int maxConcurrent) throws Exception {
        try (ChatCompletionsServer own = new ChatCompletionsServer()) {
            own.then(Step.reply(GOOD).after(300));
            Map<String, Object> p = new HashMap<>(Map.of("id", "c", "baseUrl", own.openAiBaseUrl(), "model", "m",
                    "maxConcurrent", String.valueOf(maxConcurrent), "timeoutSeconds", "10"));
            PlannerSettings s = PlannerSettings.fromProperties(p, k -> null);
            Planner planner = planner(s);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<ContentPlan>> plans = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    plans.add(pool.submit(() -> planner.plan(MATERIAL)));
                }
                for (Future<ContentPlan> f : plans) {
                    assertEquals("c", f.get().plannerId());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals("null", own.authorizations().get(0)); // no key configured, none sent
            return own.maxInFlight();
        }
    }

    @Test
    void apiKeyMayComeFromTheEnvironmentAndIsNeverPrinted() throws Exception {
        server.then(Step.reply(GOOD));
        PlannerSettings s = settings("apiKey", "", "apiKeyEnv", "PEN_TEST_KEY");
        planner(s).plan(MATERIAL);
        assertEquals("Bearer sk-from-env-42", server.authorizations().get(0));
        assertFalse(s.toString().contains("sk-from-env-42"), s.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings("apiKey", "", "apiKeyEnv", "PEN_UNSET_VARIABLE"));
        assertTrue(e.getMessage().contains("PEN_UNSET_VARIABLE"), e.getMessage());
    }

    @Test
    void ollamaSpeaksItsOwnProtocol() throws Exception {
        server.then(Step.reply(GOOD));
        ContentPlan plan = planner(settings("provider", "ollama", "baseUrl", server.ollamaBaseUrl())).plan(MATERIAL);
        assertEquals("Penwright 1.0", plan.title());
        assertEquals(new TokenUsage(PROMPT_TOKENS, COMPLETION_TOKENS), plan.usage());
        assertEquals("json", server.requests().get(0).path("format").asText());
    }

    @Test
    void aPromptTemplateFileOverridesTheBuiltInOne(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("prompt.txt");
        Files.writeString(template, "PLAN THIS: {{brief}} | FACTS: {{facts}} | IN {{language}}");
        server.then(Step.reply(GOOD));
        planner(settings("promptTemplate", template.toString())).plan(MATERIAL);
        assertEquals("PLAN THIS: Announce Penwright 1.0, which ships on 2026-11-25. | FACTS: - It runs on 2 cores\n"
                + "- Price: 0 EUR | IN detect it", userMessage(server.requests().get(0), 0));
        Files.writeString(template, "no placeholders");
        assertThrows(IllegalArgumentException.class, () -> settings("promptTemplate", template.toString()));
    }

    @Test
    void badConfigurationIsReportedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("model", "")).getMessage()
                .contains("model is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("provider", "bard")).getMessage()
                .contains("provider must be"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("onInvalid", "ignore"))
                .getMessage().contains("onInvalid must be"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("timeoutSeconds", "soon"))
                .getMessage().contains("timeoutSeconds must be a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("id", "extractive")).getMessage()
                .contains("taken"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("baseUrl", "localhost:80"))
                .getMessage().contains("baseUrl"));
    }

    @Test
    void emptyMaterialIsRejectedBeforeAnyCall() throws Exception {
        assertThrows(PlanningException.class, () -> planner(settings()).plan(new Material("", List.of(), " ", "")));
        assertEquals(0, server.requests().size());
    }
}
