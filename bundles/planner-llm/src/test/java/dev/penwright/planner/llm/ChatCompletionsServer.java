package dev.penwright.planner.llm;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A minimal, real OpenAI-compatible HTTP server for tests: POST /v1/chat/completions takes the chat request JSON
 * and answers a chat.completion object with usage, as the OpenAI API does; POST /api/chat answers as Ollama does.
 * Each test scripts the answers in order; the last one repeats. It records the requests and the most requests it
 * ever had in flight at once.
 */
final class ChatCompletionsServer implements AutoCloseable {
    /** One scripted answer: an assistant message, or an HTTP error, after an optional delay. */
    record Step(int status, String content, String errorBody, long delayMillis) {
        static Step reply(String content) {
            return new Step(200, content, null, 0);
        }

        static Step error(int status, String message) {
            return new Step(status, null, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"api_error\"}}", 0);
        }

        Step after(long millis) {
            return new Step(status, content, errorBody, millis);
        }
    }

    static final int PROMPT_TOKENS = 120;
    static final int COMPLETION_TOKENS = 45;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Step> script = new ArrayDeque<>();
    private Step last = Step.error(500, "no answer scripted");
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    ChatCompletionsServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/chat/completions", exchange -> handle(exchange, false));
        server.createContext("/api/chat", exchange -> handle(exchange, true));
        server.setExecutor(executor);
        server.start();
    }

    String openAiBaseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    String ollamaBaseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized ChatCompletionsServer then(Step... steps) {
        for (Step s : steps) {
            script.add(s);
        }
        return this;
    }

    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    private synchronized Step next() {
        if (!script.isEmpty()) {
            last = script.poll();
        }
        return last;
    }

    private void handle(HttpExchange exchange, boolean ollama) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{\"error\":{\"message\":\"POST only\"}}");
                return;
            }
            JsonNode request = json.readTree(exchange.getRequestBody());
            if (request == null || !request.path("messages").isArray() || !request.path("model").isTextual()) {
                send(exchange, 400, "{\"error\":{\"message\":\"model and messages are required\"}}");
                return;
            }
            requests.add(request);
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            Step step = next();
            if (step.delayMillis() > 0) {
                try {
                    Thread.sleep(step.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (step.status() != 200) {
                send(exchange, step.status(), step.errorBody());
                return;
            }
            send(exchange, 200, json.writeValueAsString(ollama
                    ? ollamaAnswer(request, step.content()) : chatCompletion(request, step.content())));
        } catch (IOException e) {
            // The client gave up (a timeout test): nothing to answer.
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private ObjectNode chatCompletion(JsonNode request, String content) {
        ObjectNode root = json.createObjectNode();
        root.put("id", "chatcmpl-" + requests.size());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", request.get("model").asText());
        ArrayNode choices = root.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        choice.put("finish_reason", "stop");
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", PROMPT_TOKENS);
        usage.put("completion_tokens", COMPLETION_TOKENS);
        usage.put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
        return root;
    }

    private ObjectNode ollamaAnswer(JsonNode request, String content) {
        ObjectNode root = json.createObjectNode();
        root.put("model", request.get("model").asText());
        root.put("created_at", "2026-11-25T06:00:00Z");
        ObjectNode message = root.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        root.put("done", true);
        root.put("done_reason", "stop");
        root.put("prompt_eval_count", PROMPT_TOKENS);
        root.put("eval_count", COMPLETION_TOKENS);
        return root;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
