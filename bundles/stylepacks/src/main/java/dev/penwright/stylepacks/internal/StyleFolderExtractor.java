package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;

import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.PackLimits;
import dev.penwright.stylepacks.StylePackFormat;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a pack bundle's {@code style/} entries to a folder of their own, so that models can read them as files.
 * The copy counts bytes as they inflate and stops at the {@link PackLimits}: a pack installed some other way than
 * through the deploy folder's installer (which checked it before the framework saw it) is still held to them.
 */
final class StyleFolderExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(StyleFolderExtractor.class);

    private StyleFolderExtractor() {
    }

    static void extract(Bundle bundle, Path target, PackLimits limits) throws InvalidStylePackException {
        Enumeration<URL> entries = bundle.findEntries(StylePackFormat.FOLDER, "*", true);
        if (entries == null) {
            throw new InvalidStylePackException("no " + StylePackFormat.FOLDER + "/ folder in the bundle");
        }
        long total = 0;
        int count = 0;
        try {
            Files.createDirectories(target);
            String prefix = "/" + StylePackFormat.FOLDER + "/";
            byte[] buffer = new byte[64 * 1024];
            while (entries.hasMoreElements()) {
                URL entry = entries.nextElement();
                String path = entry.getPath();
                int at = path.indexOf(prefix);
                String relative = at < 0 ? "" : path.substring(at + prefix.length());
                if (relative.isEmpty() || relative.endsWith("/")) {
                    continue;
                }
                if (++count > limits.maxEntries()) {
                    throw new InvalidStylePackException("the pack has more than " + limits.maxEntries()
                            + " entries (maxEntries)");
                }
                Path file = target.resolve(relative).normalize();
                if (!file.startsWith(target)) {
                    throw new InvalidStylePackException("entry " + relative + " points outside the style folder");
                }
                Files.createDirectories(file.getParent());
                long inflated = 0;
                try (InputStream in = entry.openStream(); OutputStream out = Files.newOutputStream(file)) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        inflated += n;
                        total += n;
                        if (inflated > limits.maxEntryBytes()) {
                            throw new InvalidStylePackException("entry style/" + relative + " inflates to more than "
                                    + limits.maxEntryBytes() + " bytes (maxEntryBytes)");
                        }
                        if (total > limits.maxInflatedBytes()) {
                            throw new InvalidStylePackException("the pack inflates to more than "
                                    + limits.maxInflatedBytes() + " bytes (maxInflatedBytes; a zip bomb?)");
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new InvalidStylePackException("cannot read the pack's files (" + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    /** Deletes an extracted folder; a failure is logged, not thrown: the pack's fate does not depend on it. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the extracted pack folder {}: {}", dir, e.toString());
        }
    }
}
