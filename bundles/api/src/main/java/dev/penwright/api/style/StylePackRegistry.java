package dev.penwright.api.style;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** Every deployed pack, accepted or rejected: what {@code pen:styles --all} and {@code GET /v1/styles} show. */
@ProviderType
public interface StylePackRegistry {
    /** Accepted and rejected packs, sorted by id. */
    List<StylePackEntry> entries();

    /**
     * The active pack with this id, at its current version. While an update is under way this is the version being
     * replaced, until the new one is active: a style is never missing during an update.
     */
    Optional<StylePack> find(String id);

    /**
     * The folder this runtime deploys packs from, absolute; empty when it has none (a framework started outside the
     * launcher). The registry's implementation is the one reader of its setting (the framework property
     * {@code penwright.deploy}); the server and the trainer ask here.
     */
    Optional<Path> deployFolder();

    /**
     * Copies a jar into the deploy folder atomically (a style pack as {@code <id>.jar}) and follows it until it is
     * judged: the deployment's verdict completes with the jar's ACTIVE or REJECTED entry. It never completes when
     * the deploy folder is not watched; callers wait on it with a timeout of their own.
     *
     * @param allowDowngrade whether the jar may replace an active pack of a higher version
     * @throws IOException           the jar cannot be read or copied
     * @throws IllegalStateException this runtime has no deploy folder
     */
    Deployment deploy(Path jar, boolean allowDowngrade) throws IOException;

    /**
     * Completes once no entry is listed under this id any more (its pack withdrawn, its rejection forgotten); at
     * once when none is listed now. What a removal of a pack's file waits for.
     */
    CompletionStage<Void> unlisted(String id);

    /**
     * Waits (blocking) until every file in the deploy folder has been installed and judged (accepted or rejected).
     *
     * @return false if that did not happen within the timeout
     */
    boolean awaitSettled(Duration timeout) throws InterruptedException;
}
