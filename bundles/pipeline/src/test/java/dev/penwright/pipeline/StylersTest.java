package dev.penwright.pipeline;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.penwright.api.style.Styler;
import org.junit.jupiter.api.Test;

/** While the engine's bundle is updated, a request waits for the new styler instead of being refused. */
class StylersTest {
    private static final Styler OLD = new PipelineTest.FactWriter(List.of());
    private static final Styler NEW = new PipelineTest.FactWriter(List.of());

    @Test
    void aRequestDuringAReplacementWaitsForTheNewStyler() throws Exception {
        Stylers stylers = new Stylers();
        stylers.bind(OLD, Map.of());
        stylers.unbind(OLD);
        CompletableFuture<Styler> waiting = CompletableFuture.supplyAsync(
                () -> stylers.await(null, Duration.ofSeconds(20), Duration.ofSeconds(60)));
        Thread.sleep(200);
        assertTrue(!waiting.isDone(), "answered before any styler was bound");
        stylers.bind(NEW, Map.of());
        assertSame(NEW, waiting.get());
    }

    @Test
    void withNoReplacementUnderWayNoneIsAnsweredAtOnce() {
        Stylers never = new Stylers();
        long t0 = System.nanoTime();
        assertNull(never.await(null, Duration.ofSeconds(20), Duration.ofSeconds(60)));
        Stylers gone = new Stylers();
        gone.bind(OLD, Map.of());
        gone.unbind(OLD);
        assertNull(gone.await(null, Duration.ofMillis(100), Duration.ofSeconds(60)), "waits at most as long as asked");
        assertNull(gone.await(null, Duration.ofSeconds(20), Duration.ZERO), "a removal longer ago is not a replacement");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }
}
