package dev.penwright.api.style;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A validated style pack, registered as a service with {@link #ID} and {@link #VERSION}. An object never changes:
 * an update registers a new one, so a request that holds a pack finishes on the version it started with.
 *
 * <p>Its life, as the extender that registers it owns it: offered (found by the registry) until it is withdrawn,
 * because a newer version replaced it or its file was removed; its files and what was loaded from them stay while a
 * request {@linkplain #hold() holds} it; once withdrawn and released by its last request it is
 * {@linkplain #withdrawn() gone for good}.
 */
@ProviderType
public interface StylePack {
    String ID = "penwright.style.id";
    String VERSION = "penwright.style.version";

    StyleDescriptor descriptor();

    /** The bundle version of the pack. */
    String version();

    /** {@code id@version}. */
    default String ref() {
        return descriptor().id() + "@" + version();
    }

    /**
     * The pack's {@code style/} folder on disk: style.json, adapter_config.json, adapter_model.safetensors,
     * exemplars.jsonl, report.json and, from packs trained with a vocabulary, vocabulary.txt. It stays readable
     * while this object is in use.
     */
    Path directory();

    List<Exemplar> exemplars();

    /**
     * The style's vocabulary, which the fact guard allows beside the plan's words: the pack's
     * {@code style/vocabulary.txt}, or, for a pack without one, the same computation over its exemplars.
     */
    default StyleVocabulary vocabulary() {
        return StyleVocabulary.of(exemplars().stream().map(Exemplar::text).toList());
    }

    /**
     * Holds this version for one request: while any hold is open, its {@link #directory()} stays and so does what
     * an engine loaded from it, even after the version is withdrawn. Close the hold when the request ends.
     *
     * @return the hold, or empty when this version is already gone for good (withdrawn and released): look the style
     *         up again, its current version is registered
     */
    default Optional<Hold> hold() {
        return Optional.of(Hold.NONE);
    }

    /**
     * Completes when this version is gone for good: withdrawn (replaced by an update or removed) and released by the
     * last request that held it. Its folder is deleted then, and whoever loaded something from it (an engine's
     * adapter) drops it. A pack that no extender owns never completes it.
     */
    default CompletionStage<StylePack> withdrawn() {
        return new CompletableFuture<>();
    }

    /** One request's hold on a pack version; closing it twice counts once. */
    @FunctionalInterface
    interface Hold extends AutoCloseable {
        Hold NONE = () -> { };

        @Override
        void close();
    }
}
