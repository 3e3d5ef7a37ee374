package dev.penwright.stylepacks;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The folder FileInstall watches. Files arrive in it whole: written under a name the watcher ignores, then moved in
 * one rename, so the watcher never installs half a jar. A style pack lands as {@code <id>.jar}, so a new version
 * replaces the old one.
 */
public final class DeployFolder {
    private final Path dir;

    public DeployFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** Copies {@code jar} into the folder atomically; returns where it landed. */
    public Path deploy(Path jar) throws IOException {
        return deploy(jar, false);
    }

    /**
     * Copies {@code jar} into the folder atomically; returns where it landed.
     *
     * @param allowDowngrade whether it may replace an active pack of a higher version: a one-time permit file beside
     *                       it, which the installer deletes once it has judged the jar
     */
    public Path deploy(Path jar, boolean allowDowngrade) throws IOException {
        String name = targetName(jar);
        Files.createDirectories(dir);
        if (allowDowngrade) {
            Files.writeString(downgradePermit(dir.resolve(name)), "allow a downgrade of " + name + "\n");
        }
        Path part = Files.createTempFile(dir, "." + name + ".", ".part");
        try {
            Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
            Path target = dir.resolve(name);
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** The one-time permit that lets {@code deployed} (a jar in the folder) replace a higher version. */
    public static Path downgradePermit(Path deployed) {
        return deployed.resolveSibling("." + deployed.getFileName() + ".allow-downgrade");
    }

    /** The file name a jar gets here: {@code <style id>.jar} for a pack, its own name otherwise. */
    public static String targetName(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String id = manifest == null ? null : manifest.getMainAttributes().getValue(StylePackFormat.HEADER);
            if (id != null && id.trim().matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                return id.trim() + ".jar";
            }
        } catch (IOException e) {
            throw new IOException(jar + " is not a readable jar: " + e.getMessage(), e);
        }
        String own = jar.getFileName().toString();
        return own.endsWith(".jar") ? own : own + ".jar";
    }
}
