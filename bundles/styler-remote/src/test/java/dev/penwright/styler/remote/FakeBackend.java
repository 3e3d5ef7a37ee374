package dev.penwright.styler.remote;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback that plays a backend, well or badly: the JDK's own server, so that the client's
 * sockets, timeouts and streams are the real ones. Records what it was sent.
 */
final class FakeBackend implements AutoCloseable {
    /** How it answers one request. */
    @FunctionalInterface
    interface Answer {
        void answer(HttpExchange exchange, String body) throws Exception;
    }

    record Received(String path, String body) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    FakeBackend(Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestURI().getPath(), body));
            try {
                answer.answer(exchange, body);
            } catch (Exception e) {
                // The client went away (a timeout cut the connection): nothing to answer.
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> paths() {
        return received.stream().map(Received::path).toList();
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An OpenAI completion stream of these pieces, ending with finish_reason stop, usage and [DONE]. */
    static void stream(HttpExchange exchange, String... pieces) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String piece : pieces) {
                event(out, "{\"choices\":[{\"index\":0,\"text\":\"" + piece + "\",\"finish_reason\":null}]}");
            }
            event(out, "{\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}]}");
            event(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":" + pieces.length + "}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
