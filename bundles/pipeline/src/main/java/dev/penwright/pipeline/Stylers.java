package dev.penwright.pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.penwright.api.style.Styler;

/**
 * The Styler services bound now: the local engine's (no {@link Styler#BASE_MODEL} property) and remote ones, each
 * serving one base model. A pack on a base model that a remote styler serves is rendered there; the rest locally.
 */
final class Stylers {
    private record Bound(Styler styler, String baseModel) {
    }

    private final CopyOnWriteArrayList<Bound> bound = new CopyOnWriteArrayList<>();
    /** Notified on every bind, for requests waiting out a styler's replacement. */
    private final Object bindings = new Object();
    /** When a styler last went away (System.nanoTime), or null if none has. */
    private volatile Long lastUnbound;

    void bind(Styler styler, Map<String, Object> properties) {
        Object model = properties.get(Styler.BASE_MODEL);
        bound.add(new Bound(styler, model == null ? "" : model.toString()));
        synchronized (bindings) {
            bindings.notifyAll();
        }
    }

    void unbind(Styler styler) {
        if (bound.removeIf(b -> b.styler() == styler)) {
            lastUnbound = System.nanoTime();
        }
    }

    /**
     * {@link #choose}, but when none fits and a styler went away less than {@code window} ago (its bundle is being
     * updated: the engine's replacement is starting), waits up to {@code wait} for one to be bound, so that requests
     * arriving during an engine update are served by the new engine instead of refused.
     */
    Styler await(String baseModel, Duration wait, Duration window) {
        Styler chosen = choose(baseModel);
        Long gone = lastUnbound;
        if (chosen != null || gone == null || System.nanoTime() - gone > window.toNanos()) {
            return chosen;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (bindings) {
            while ((chosen = choose(baseModel)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    bindings.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return chosen;
    }

    /**
     * The remote styler serving {@code baseModel}, else the local one; with no base model asked for (no pack), the
     * local one, else any remote one (a node that holds no model renders everything remotely). Null when none fits.
     */
    Styler choose(String baseModel) {
        Styler local = null;
        Styler anyRemote = null;
        for (Bound b : bound) {
            if (b.baseModel().isEmpty()) {
                local = local == null ? b.styler() : local;
            } else if (baseModel != null && b.baseModel().equals(baseModel)) {
                return b.styler();
            } else if (anyRemote == null) {
                anyRemote = b.styler();
            }
        }
        return local != null || baseModel != null ? local : anyRemote;
    }
}
