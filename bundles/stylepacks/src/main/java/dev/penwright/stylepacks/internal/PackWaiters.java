package dev.penwright.stylepacks.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import dev.penwright.api.style.StylePackEntry;
import org.osgi.framework.Version;

/**
 * Those waiting on the extender: for a deployed file's verdict, for a style to be unlisted, for the deploy folder to
 * settle. Each is answered by the event that ends its wait (the extender calls in after every verdict and removal),
 * never by polling.
 */
final class PackWaiters {
    /** A deployment nobody follows any more stops being followed after this long. */
    private static final Duration VERDICT_WAIT_LIMIT = Duration.ofMinutes(2);

    /** A deployment waiting for its verdict: the file's, at this style id and version when it is a pack. */
    private record VerdictWaiter(Path file, String styleId, String version, CompletableFuture<StylePackEntry> verdict) {
        boolean matches(StylePackEntry entry) {
            return DeployFolderInspector.pathOf(entry.source()).equals(file)
                    && (styleId == null || styleId.equals(entry.id()) && version.equals(normalized(entry.version())));
        }
    }

    private final List<VerdictWaiter> verdicts = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Void>> unlisted = new ConcurrentHashMap<>();
    private final List<CompletableFuture<Boolean>> settled = new CopyOnWriteArrayList<>();

    /**
     * Follows a file about to land in the deploy folder: registered before it lands, so that no verdict comes first.
     *
     * @param styleId the pack's id, or null when the file is no readable pack (any verdict on the file counts)
     */
    CompletableFuture<StylePackEntry> follow(Path file, String styleId, String version) {
        VerdictWaiter waiter = new VerdictWaiter(file, styleId, styleId == null ? null : normalized(version),
                new CompletableFuture<>());
        verdicts.add(waiter);
        waiter.verdict().orTimeout(VERDICT_WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((entry, failure) -> verdicts.remove(waiter));
        return waiter.verdict();
    }

    /** A pack or file was judged: answers the deployments waiting for it. */
    void verdict(StylePackEntry entry) {
        for (VerdictWaiter waiter : verdicts) {
            if (waiter.matches(entry)) {
                waiter.verdict().complete(entry);
            }
        }
    }

    /** Completes once {@code listed} says the id is not listed; checked now and after every removal. */
    CompletableFuture<Void> unlisted(String id, Predicate<String> listed) {
        CompletableFuture<Void> waiter = unlisted.computeIfAbsent(id, k -> new CompletableFuture<>());
        removed(listed);
        return waiter;
    }

    /** Something was unlisted: answers those waiting for ids no longer listed. */
    void removed(Predicate<String> listed) {
        for (Map.Entry<String, CompletableFuture<Void>> waiter : unlisted.entrySet()) {
            if (!listed.test(waiter.getKey()) && unlisted.remove(waiter.getKey(), waiter.getValue())) {
                waiter.getValue().complete(null);
            }
        }
    }

    /** Blocks until {@code isSettled} holds when asked (now, or after a later verdict or inspection). */
    boolean awaitSettled(Duration timeout, BooleanSupplier isSettled) throws InterruptedException {
        CompletableFuture<Boolean> waiter = new CompletableFuture<>();
        settled.add(waiter);
        checkSettled(isSettled);
        try {
            return waiter.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the deploy folder could not be inspected", e.getCause());
        } finally {
            settled.remove(waiter);
        }
    }

    void checkSettled(BooleanSupplier isSettled) {
        if (!settled.isEmpty() && isSettled.getAsBoolean()) {
            settled.forEach(w -> w.complete(true));
        }
    }

    private static String normalized(String version) {
        try {
            return Version.parseVersion(version).toString();
        } catch (IllegalArgumentException e) {
            return version;
        }
    }
}
