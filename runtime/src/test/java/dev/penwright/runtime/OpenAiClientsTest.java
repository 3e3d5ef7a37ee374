package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI clients, unchanged, against Penwright: langchain4j's OpenAiChatModel and OpenAiStreamingChatModel, and the
 * official {@code openai} npm package (run by Node from runtime/src/test/node; {@code npm install} there once).
 */
class OpenAiClientsTest {
    static final String BASE = "tiny";
    static final String STYLE = "house";

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, BASE);
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), STYLE, "House", BASE);
        PackFixtures.writePack(deploy.resolve(".house.jar.part"), style, STYLE, "1.0.0");
        Files.move(deploy.resolve(".house.jar.part"), deploy.resolve("house.jar"));
        server = ServerProcess.start(work, deploy, models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = " + BASE + "\n"));
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && !server.get("/v1/models").body().contains("\"house\"")) {
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.port + "/v1";
    }

    @Test
    void langchain4jChatAndStreamedChat() throws Exception {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(STYLE)
                .maxTokens(8).maxRetries(0).build();
        ChatResponse response = chat.chat(ChatRequest.builder()
                .messages(UserMessage.from("write about the debian release")).build());
        assertFalse(response.aiMessage().text().isEmpty());
        assertTrue(response.tokenUsage().outputTokenCount() > 0 && response.tokenUsage().outputTokenCount() <= 8);
        assertTrue(response.tokenUsage().inputTokenCount() > 0);
        assertEquals(STYLE, response.metadata().modelName());

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("unused")
                .modelName(STYLE).maxTokens(8).build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("stream about the release", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse complete) {
                done.complete(complete);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        assertFalse(partial.isEmpty());
        assertEquals(partial.toString(), streamed.aiMessage().text());
        System.out.printf("[measure] langchain4j chat: %d tokens; streamed: '%s'%n",
                response.tokenUsage().outputTokenCount(), partial);
    }

    @Test
    void theOfficialOpenAiNodeClient() throws Exception {
        Path dir = ServerProcess.RUNTIME.resolve("src/test/node");
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("node_modules/openai")),
                "run 'npm install' in runtime/src/test/node first");
        Process node;
        try {
            node = new ProcessBuilder(List.of("node", "openai-check.mjs", baseUrl(), STYLE)).directory(dir.toFile())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException noNode) {
            Assumptions.abort("node is not installed: " + noNode.getMessage());
            return;
        }
        assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node did not finish");
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), output);
        String last = output.strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode seen = ServerProcess.JSON.readTree(last);
        assertTrue(seen.path("models").toString().contains("\"house\""), last);
        assertTrue(seen.path("models").toString().contains("\"tiny\""), last);
        assertFalse(seen.path("chat").path("text").asText().isEmpty(), last);
        assertTrue(seen.path("chat").path("usage").path("completion_tokens").asInt() > 0, last);
        assertFalse(seen.path("stream").path("text").asText().isEmpty(), last);
        assertTrue(seen.path("stream").path("usage").path("completion_tokens").asInt() > 0, last);
        assertEquals(404, seen.path("error").path("status").asInt(), last);
        assertEquals("model_not_found", seen.path("error").path("code").asText(), last);
        System.out.println("[measure] openai npm client saw " + last);
    }
}
