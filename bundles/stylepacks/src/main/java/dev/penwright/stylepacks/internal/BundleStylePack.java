package dev.penwright.stylepacks.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.stylepacks.ValidatedStyle;

/**
 * A validated pack as registered, one per activated bundle revision: its data never changes; its life does. It is
 * offered until the extender {@linkplain #withdraw() withdraws} it, and gone for good once it is withdrawn and the
 * last request's {@link Hold} is closed: then {@link #withdrawn()} completes (on the extender's thread), and the
 * extender deletes its folder while the engine drops its adapter.
 */
final class BundleStylePack implements StylePack {
    private final StyleDescriptor descriptor;
    private final String version;
    private final Path directory;
    private final List<Exemplar> exemplars;
    private final StyleVocabulary vocabulary;
    private final long bundleId;
    private final long lastModified;
    private final String location;
    private final Executor notifier;
    private final CompletableFuture<StylePack> gone = new CompletableFuture<>();
    private int holds;
    private boolean withdrawing;

    /** Where the bundle revision a pack comes from was installed from, and when it was installed or updated. */
    record Origin(long bundleId, long lastModified, String location) {
    }

    BundleStylePack(ValidatedStyle style, String version, Origin origin, Executor notifier) {
        this.descriptor = style.descriptor();
        this.version = version;
        this.directory = style.directory();
        this.exemplars = style.exemplars();
        this.vocabulary = style.vocabulary();
        this.bundleId = origin.bundleId();
        this.lastModified = origin.lastModified();
        this.location = origin.location();
        this.notifier = notifier;
    }

    @Override
    public StyleDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public List<Exemplar> exemplars() {
        return exemplars;
    }

    @Override
    public StyleVocabulary vocabulary() {
        return vocabulary;
    }

    long bundleId() {
        return bundleId;
    }

    long lastModified() {
        return lastModified;
    }

    String location() {
        return location;
    }

    @Override
    public synchronized Optional<Hold> hold() {
        if (withdrawing && holds == 0) {
            return Optional.empty();
        }
        holds++;
        AtomicBoolean open = new AtomicBoolean(true);
        return Optional.of(() -> {
            if (open.compareAndSet(true, false)) {
                release();
            }
        });
    }

    private void release() {
        boolean last;
        synchronized (this) {
            holds--;
            last = withdrawing && holds == 0;
        }
        if (last) {
            goneForGood();
        }
    }

    /** No longer offered: gone for good at once when no request holds it, else when the last one lets go. */
    void withdraw() {
        boolean unheld;
        synchronized (this) {
            if (withdrawing) {
                return;
            }
            withdrawing = true;
            unheld = holds == 0;
        }
        if (unheld) {
            goneForGood();
        }
    }

    private void goneForGood() {
        try {
            // Never on the thread of the request or bundle event that let go: the callbacks delete files and take
            // the engine's lock.
            notifier.execute(() -> gone.complete(this));
        } catch (RejectedExecutionException extenderStopped) {
            gone.complete(this);
        }
    }

    @Override
    public CompletionStage<StylePack> withdrawn() {
        return gone.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return ref() + " (bundle " + bundleId + ")";
    }
}
