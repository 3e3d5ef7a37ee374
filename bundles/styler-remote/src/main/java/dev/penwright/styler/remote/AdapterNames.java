package dev.penwright.styler.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.penwright.api.style.StylePack;

/**
 * Content-addressed adapter names, {@code <style>@<12 hex digits of SHA-256>} over the adapter's config and weights:
 * every node that holds the same adapter names it the same, so loading it again is a no-op, replicas agree, and a
 * new version (new weights) gets a new name that can be loaded beside the old one.
 */
public final class AdapterNames {
    static final String[] ADAPTER_FILES = {"adapter_config.json", "adapter_model.safetensors"};
    private static final int DIGITS = 12;

    private AdapterNames() {
    }

    public static String of(StylePack pack) throws IOException {
        return of(pack.descriptor().id(), pack.directory());
    }

    public static String of(String styleId, Path adapterFolder) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        for (String name : ADAPTER_FILES) {
            // The file's name and length go in first, so that no two different pairs of files hash alike.
            Path file = adapterFolder.resolve(name);
            sha.update((name + "\0" + Files.size(file) + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return styleId + "@" + HexFormat.of().formatHex(sha.digest()).substring(0, DIGITS);
    }
}
