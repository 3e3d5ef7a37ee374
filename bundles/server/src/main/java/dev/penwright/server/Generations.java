package dev.penwright.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.penwright.api.generate.GenerationRequest;
import dev.penwright.api.generate.GenerationResult;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.generate.Timings;
import dev.penwright.api.serve.AdapterServing;
import dev.penwright.api.serve.LoadedAdapter;

/**
 * Runs one generation for a request thread. Pieces of text arrive on engine threads and are only queued there; the
 * request thread writes them, so a slow client never stalls the engine. While streaming, a quiet second sends a
 * heartbeat: a client that has gone away makes that write fail, and its request is cancelled, freeing its slot.
 */
final class Generations {
    /** Where a streamed generation goes. */
    interface Sink {
        void text(String piece) throws IOException;

        void heartbeat() throws IOException;
    }

    private Generations() {
    }

    /** A piece of streamed text, or the mark that the generation has ended (its text null). */
    record Piece(String text) {
        static final Piece END = new Piece(null);
    }

    /** Starts the request; a refusal known at once (queue full, unknown style) is already in the future. */
    static Started start(GenerationService service, GenerationRequest request, boolean stream) {
        LinkedBlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
        CompletableFuture<GenerationResult> future = service.generate(request, stream ? text -> pieces.add(
                new Piece(text)) : dev.penwright.api.style.TokenListener.NONE).toCompletableFuture();
        // The end wakes the streaming loop at once: without it the result waited out the loop's heartbeat second.
        future.whenComplete((result, failure) -> pieces.add(Piece.END));
        return new Started(future, pieces, System.nanoTime(), request.styleId());
    }

    /**
     * Starts a completion of a ready prompt on an adapter loaded at run time (the rendering-backend route); its
     * metrics count under the adapter's style.
     */
    static Started startCompletion(AdapterServing serving, LoadedAdapter adapter, String prompt,
                                   GenerationOptions options, boolean stream) {
        LinkedBlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
        long started = System.nanoTime();
        CompletableFuture<GenerationResult> future = serving.complete(adapter.name(), prompt, options,
                stream ? text -> pieces.add(new Piece(text)) : dev.penwright.api.style.TokenListener.NONE)
                .toCompletableFuture()
                .thenApply(t -> {
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    return new GenerationResult(t.text(), null, List.of(), t.styleRef(), t.modelId(),
                            t.generatedTokens(), new Timings(0, 0, millis, 0, millis), t.promptTokens(),
                            t.finishReason());
                });
        future.whenComplete((result, failure) -> pieces.add(Piece.END));
        return new Started(future, pieces, started, adapter.style());
    }

    record Started(CompletableFuture<GenerationResult> future, LinkedBlockingQueue<Piece> pieces, long startNanos,
                   String styleId) {
        /** The refusal if the service refused at once, else null. */
        Throwable immediateFailure() {
            if (!future.isDone()) {
                return null;
            }
            try {
                future.join();
                return null;
            } catch (RuntimeException e) {
                return e.getCause() != null ? e.getCause() : e;
            }
        }

        GenerationResult await(Metrics metrics) throws Exception {
            try {
                GenerationResult result = future.get();
                record(metrics, result, null);
                return result;
            } catch (InterruptedException e) {
                future.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                record(metrics, null, e.getCause());
                throw e;
            }
        }

        GenerationResult stream(Sink sink, Metrics metrics) throws Exception {
            try {
                boolean ended = false;
                while (!ended) {
                    Piece first = pieces.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        sink.heartbeat();
                        continue;
                    }
                    List<Piece> arrived = new ArrayList<>(List.of(first));
                    pieces.drainTo(arrived);
                    StringBuilder text = new StringBuilder();
                    for (Piece piece : arrived) {
                        if (piece == Piece.END) {
                            ended = true;
                        } else {
                            text.append(piece.text());
                        }
                    }
                    if (!text.isEmpty()) {
                        sink.text(text.toString());
                    }
                }
                GenerationResult result = future.get();
                record(metrics, result, null);
                return result;
            } catch (IOException | InterruptedException gone) {
                future.cancel(true);
                record(metrics, null, new java.util.concurrent.CancellationException("client disconnected"));
                throw gone;
            } catch (ExecutionException e) {
                record(metrics, null, e.getCause());
                throw e;
            }
        }

        private void record(Metrics metrics, GenerationResult result, Throwable failure) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            if (result != null) {
                metrics.generation(styleId, "ok", seconds, result.generatedTokens());
            } else {
                ApiError e = ApiServlet.toApiError(failure);
                metrics.generation(styleId, e.code, seconds, 0);
            }
        }
    }
}
