package dev.penwright.planner.llm;

import java.net.http.HttpClient;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * Builds the langchain4j chat model for a planner. The JDK HTTP client is set explicitly: langchain4j would
 * otherwise find one through ServiceLoader, which in OSGi sees the wrong class loader. langchain4j's own retries
 * are off (maxRetries 0); {@link LlmPlanner} retries, so that invalid output and endpoint errors share one budget.
 */
final class ChatModels {
    private ChatModels() {
    }

    static ChatModel create(PlannerSettings s) {
        JdkHttpClientBuilder http = JdkHttpClient.builder()
                // HTTP/1.1: many local OpenAI-compatible servers do not answer an h2c upgrade.
                .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(s.timeout()))
                .connectTimeout(s.timeout())
                .readTimeout(s.timeout());
        return switch (s.provider()) {
            case OPENAI -> {
                OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                        .httpClientBuilder(http)
                        .baseUrl(s.baseUrl())
                        .modelName(s.model())
                        .temperature(s.temperature())
                        .timeout(s.timeout())
                        .maxRetries(0)
                        .logRequests(false)
                        .logResponses(false);
                if (!s.apiKey().isEmpty()) {
                    b.apiKey(s.apiKey());
                }
                if (s.jsonMode()) {
                    b.responseFormat("json_object");
                }
                yield b.build();
            }
            case OLLAMA -> {
                var b = OllamaChatModel.builder()
                        .httpClientBuilder(http)
                        .baseUrl(s.baseUrl())
                        .modelName(s.model())
                        .temperature(s.temperature())
                        .timeout(s.timeout())
                        .maxRetries(0);
                if (s.jsonMode()) {
                    b.responseFormat(ResponseFormat.JSON);
                }
                yield b.build();
            }
        };
    }
}
