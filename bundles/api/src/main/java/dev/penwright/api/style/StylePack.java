package dev.penwright.api.style;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A validated style pack, registered as a service with {@link #ID} and {@link #VERSION}. An object never changes:
 * an update registers a new one, so a request that holds a pack finishes on the version it started with.
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
}
