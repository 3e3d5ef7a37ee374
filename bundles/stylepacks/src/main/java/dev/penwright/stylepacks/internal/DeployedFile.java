package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/** What a file in the deploy folder is, judged without installing it. */
final class DeployedFile {
    private DeployedFile() {
    }

    /** Why the file cannot be a bundle, or empty when it is a readable jar with a Bundle-SymbolicName. */
    static Optional<String> whyNotABundle(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return Optional.of("not an OSGi bundle: the jar has no META-INF/MANIFEST.MF");
            }
            if (manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                return Optional.of("not an OSGi bundle: no Bundle-SymbolicName in its manifest");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("not a valid jar (" + e.getMessage() + ")");
        }
    }

    /** The file a bundle was installed from, when its location is a file URI (as FileInstall's are). */
    static Optional<Path> fileOf(Bundle bundle) {
        String location = bundle.getLocation();
        try {
            URI uri = URI.create(location);
            if ("file".equals(uri.getScheme())) {
                return Optional.of(Path.of(uri).toAbsolutePath().normalize());
            }
        } catch (IllegalArgumentException e) {
            // Not a URI: not from a folder.
        }
        return Optional.empty();
    }

    static boolean isJar(Path path) {
        return path.getFileName().toString().endsWith(".jar") && Files.isRegularFile(path);
    }
}
