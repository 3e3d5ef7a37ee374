package dev.penwright.styler.remote;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.style.TokenListener;

/**
 * HTTP to one backend on the JDK's client: small JSON calls (the load API) and streamed renderings. A rendering is
 * read line by line as it arrives; a watchdog ends it when the backend stays silent longer than the idle timeout, so
 * a hung or slow backend never hangs a request.
 */
final class BackendClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A finished rendering as the backend reported it. */
    record Outcome(String text, String finishReason, int promptTokens, int completionTokens) {
    }

    /** A rendering under way. */
    interface Call {
        CompletableFuture<Outcome> result();

        /** Whether any text has reached the listener (then a failure cannot be retried). */
        boolean started();

        void cancel();
    }

    private final RemoteSettings settings;
    private final ScheduledExecutorService timer;
    private final HttpClient http;

    BackendClient(RemoteSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.timer = timer;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build();
    }

    private HttpRequest.Builder request(String path, Map<String, Object> body) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.root() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (!settings.apiKey().isEmpty()) {
            b.header("Authorization", "Bearer " + settings.apiKey());
        }
        return b;
    }

    /** A small JSON POST; returns the status and body, or throws a {@link BackendFailure} for transport failures. */
    HttpResponse<String> post(String path, Map<String, Object> body) {
        try {
            return http.send(request(path, body).timeout(settings.timeout()).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendFailure.transport(e, false);
        } catch (java.io.IOException e) {
            throw BackendFailure.transport(e, false);
        }
    }

    /** Starts a streamed rendering; its pieces go to {@code listener} as they arrive. */
    Call render(String path, Map<String, Object> body, TokenListener listener) {
        Reading reading = new Reading(listener);
        HttpRequest request = request(path, body).timeout(settings.idleTimeout()).build();
        reading.exchange = http.sendAsync(request, info -> {
            reading.status = info.statusCode();
            return HttpResponse.BodySubscribers.fromLineSubscriber(reading);
        });
        reading.exchange.whenComplete((r, failure) -> {
            if (failure != null) {
                reading.fail(BackendFailure.transport(failure, reading.started));
            }
        });
        long idle = settings.idleTimeout().toNanos();
        reading.watchdog = timer.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - reading.lastActivity > idle) {
                reading.fail(BackendFailure.timeout("sent nothing for " + settings.idleTimeout().toSeconds() + " s"));
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        if (reading.result.isDone()) {
            // Ended before the fields were set: stop what they hold now.
            reading.stop(reading.result.isCompletedExceptionally());
        }
        return reading;
    }

    /** One streamed answer, read line by line on the client's threads. */
    private static final class Reading implements Flow.Subscriber<String>, Call {
        private final TokenListener listener;
        private final CompletableFuture<Outcome> result = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder plain = new StringBuilder();
        volatile CompletableFuture<HttpResponse<Void>> exchange;
        volatile ScheduledFuture<?> watchdog;
        volatile long lastActivity = System.nanoTime();
        volatile int status;
        volatile boolean started;
        private Flow.Subscription subscription;
        private boolean events;
        private String finish;
        private int promptTokens = -1;
        private int completionTokens = -1;

        Reading(TokenListener listener) {
            this.listener = listener;
            result.whenComplete((r, e) -> stop(e != null));
        }

        @Override
        public CompletableFuture<Outcome> result() {
            return result;
        }

        @Override
        public boolean started() {
            return started;
        }

        @Override
        public void cancel() {
            result.cancel(true);
        }

        void fail(BackendFailure failure) {
            result.completeExceptionally(failure);
        }

        /**
         * Ends the watchdog and, when the rendering was given up, the exchange. A finished answer's exchange is left
         * alone: cancelling it races the client handing its connection back to the pool, and the next rendering on
         * that connection then breaks off (the JDK client closes a connection that is already serving it).
         */
        private synchronized void stop(boolean givenUp) {
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
            if (!givenUp) {
                return;
            }
            if (subscription != null) {
                subscription.cancel();
            }
            CompletableFuture<HttpResponse<Void>> x = exchange;
            if (x != null) {
                x.cancel(true);
            }
        }

        @Override
        public synchronized void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public synchronized void onNext(String line) {
            lastActivity = System.nanoTime();
            if (result.isDone()) {
                return;
            }
            if (status != 200 || !line.startsWith("data:")) {
                // An error body, a non-streamed answer, or SSE comments and event names (skipped below).
                if (plain.length() < 65_536 && !line.startsWith(":") && !line.startsWith("event:")) {
                    plain.append(line).append('\n');
                }
                return;
            }
            String payload = line.substring(5).trim();
            if (payload.equals("[DONE]")) {
                return;
            }
            events = true;
            try {
                take(BackendProtocol.read(JSON.readTree(payload)));
            } catch (BackendProtocol.BackendError e) {
                fail(new BackendFailure(dev.penwright.api.generate.GenerationException.BACKEND_FAILED,
                        "reported an error: " + e.getMessage(), false, false, e));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                fail(BackendFailure.garbage(e instanceof JsonProcessingException ? "an event that is not JSON"
                        : e.getMessage()));
            }
        }

        private void take(BackendProtocol.Event e) {
            if (!e.text().isEmpty()) {
                text.append(e.text());
                started = true;
                listener.onText(e.text());
            }
            finish = e.finishReason() != null ? e.finishReason() : finish;
            promptTokens = e.promptTokens() >= 0 ? e.promptTokens() : promptTokens;
            completionTokens = e.completionTokens() >= 0 ? e.completionTokens() : completionTokens;
        }

        @Override
        public void onError(Throwable t) {
            fail(BackendFailure.transport(t, started));
        }

        @Override
        public synchronized void onComplete() {
            if (result.isDone()) {
                return;
            }
            if (status != 200) {
                fail(BackendFailure.of(status, BackendProtocol.errorMessage(plain.toString(), JSON)));
                return;
            }
            if (!events) {
                // A backend that does not stream answers with one JSON document.
                try {
                    take(BackendProtocol.read(JSON.readTree(plain.toString())));
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    fail(BackendFailure.garbage(plain.isEmpty() ? "an empty answer" : "neither events nor JSON"));
                    return;
                } catch (BackendProtocol.BackendError e) {
                    fail(BackendFailure.of(status, e.getMessage()));
                    return;
                }
            }
            if (finish == null) {
                fail(new BackendFailure(dev.penwright.api.generate.GenerationException.BACKEND_FAILED,
                        "ended its answer before the text was finished", !started, false, null));
                return;
            }
            result.complete(new Outcome(text.toString(), finish, promptTokens, completionTokens));
        }
    }

    Duration idleTimeout() {
        return settings.idleTimeout();
    }
}
