package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;

import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.StylePackFormat;
import org.osgi.framework.Bundle;

/** Copies a pack bundle's {@code style/} entries to a folder of their own, so that models can read them as files. */
final class StyleFolderExtractor {
    private StyleFolderExtractor() {
    }

    static void extract(Bundle bundle, Path target) throws InvalidStylePackException {
        Enumeration<URL> entries = bundle.findEntries(StylePackFormat.FOLDER, "*", true);
        if (entries == null) {
            throw new InvalidStylePackException("no " + StylePackFormat.FOLDER + "/ folder in the bundle");
        }
        try {
            Files.createDirectories(target);
            String prefix = "/" + StylePackFormat.FOLDER + "/";
            while (entries.hasMoreElements()) {
                URL entry = entries.nextElement();
                String path = entry.getPath();
                int at = path.indexOf(prefix);
                String relative = at < 0 ? "" : path.substring(at + prefix.length());
                if (relative.isEmpty() || relative.endsWith("/")) {
                    continue;
                }
                Path file = target.resolve(relative).normalize();
                if (!file.startsWith(target)) {
                    throw new InvalidStylePackException("entry " + path + " points outside the style folder");
                }
                Files.createDirectories(file.getParent());
                try (InputStream in = entry.openStream()) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new InvalidStylePackException("cannot read the pack's files: " + e.getMessage(), e);
        }
    }
}
