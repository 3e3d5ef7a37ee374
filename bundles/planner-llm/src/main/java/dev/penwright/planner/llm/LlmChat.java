package dev.penwright.planner.llm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.penwright.api.llm.LlmEndpoint;

/**
 * A planner configuration's endpoint as plain chat, for the benchmark's LLM few-shot row and judges: the same
 * provider, URL, model, key, timeout and temperature, but no JSON mode (the answer is prose). Endpoint errors that may
 * pass (timeouts, 429, 5xx) are retried up to the configuration's {@code maxRetries}, with a short back-off.
 */
final class LlmChat implements LlmEndpoint {
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private final PlannerSettings settings;
    private final ChatModel model;

    LlmChat(PlannerSettings settings) {
        this.settings = settings;
        this.model = ChatModels.create(proseSettings(settings));
    }

    /** The same settings with JSON mode off: a JSON response format would force the text into an object. */
    static PlannerSettings proseSettings(PlannerSettings s) {
        return new PlannerSettings(s.id(), s.provider(), s.baseUrl(), s.model(), s.apiKey(), s.timeout(),
                s.maxRetries(), s.onInvalid(), s.onError(), s.maxConcurrent(), s.temperature(), false,
                s.promptTemplate());
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public String model() {
        return settings.model();
    }

    @Override
    public String chat(String system, String user, int maxTokens) throws IOException {
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null && !system.isBlank()) {
            messages.add(SystemMessage.from(system));
        }
        messages.add(UserMessage.from(user));
        ChatRequest.Builder request = ChatRequest.builder().messages(messages);
        if (maxTokens > 0) {
            request.maxOutputTokens(maxTokens);
        }
        ChatRequest built = request.build();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // langchain4j looks up optional services through the context class loader; in OSGi make it this bundle's.
        thread.setContextClassLoader(LlmChat.class.getClassLoader());
        try {
            int attempts = settings.maxRetries() + 1;
            String problem = "";
            for (int attempt = 1; attempt <= attempts; attempt++) {
                ChatResponse response;
                try {
                    response = model.chat(built);
                } catch (RuntimeException e) {
                    EndpointError error = EndpointError.of(e, settings);
                    problem = error.message();
                    if (!error.retriable() || attempt == attempts) {
                        break;
                    }
                    sleep(Math.min(MAX_BACKOFF_MILLIS, 250L << (attempt - 1)));
                    continue;
                }
                String text = response.aiMessage() == null ? null : response.aiMessage().text();
                if (text == null || text.isBlank()) {
                    throw new IOException("endpoint '" + id() + "' (model " + settings.model() + ") answered nothing");
                }
                return text;
            }
            throw new IOException("endpoint '" + id() + "': " + problem);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while retrying endpoint '" + id() + "'");
        }
    }
}
