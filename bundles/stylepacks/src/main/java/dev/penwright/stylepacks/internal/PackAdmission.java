package dev.penwright.stylepacks.internal;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.Version;

/**
 * What the deploy-folder installer asks of the extender, and tells it: registered by the extender as a service of
 * this bundle only (the package is private), so the installer, which needs FileInstall, stays a component of its own.
 */
interface PackAdmission {
    /** The deploy folder, as {@link dev.penwright.api.style.StylePackRegistry#deployFolder()}: the files to admit. */
    Optional<Path> deployFolder();

    /** The version of the active pack with this style id. */
    Optional<Version> activeVersion(String styleId);

    /**
     * Lists a pack refused before it reached the framework as REJECTED with {@code reason}.
     *
     * @param jar       the file in the deploy folder
     * @param location  the bundle location it has or would have
     * @param installed whether an earlier version of it stays installed (a refused update)
     */
    void refuse(Path jar, String location, String styleId, String version, String reason, boolean installed);

    /** Forgets earlier refusals of the file at {@code location}: it was admitted, changed or removed. */
    void forget(Path jar, String location);
}
