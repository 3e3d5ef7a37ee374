package dev.penwright.api.style;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Every deployed pack, accepted or rejected: what {@code pen:styles --all} and {@code GET /v1/styles} show. */
@ProviderType
public interface StylePackRegistry {
    /** Accepted and rejected packs, sorted by id. */
    List<StylePackEntry> entries();

    /** The active pack with this id, at its current version. */
    Optional<StylePack> find(String id);

    /**
     * Waits until every file in the deploy folder has been installed and judged (accepted or rejected).
     *
     * @return false if that did not happen within the timeout
     */
    boolean awaitSettled(Duration timeout) throws InterruptedException;
}
