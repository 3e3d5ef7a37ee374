package dev.penwright.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Receiving an uploaded style-pack jar: a size cap while the body arrives. What is inside is then checked by the
 * stylepacks bundle's {@link dev.penwright.stylepacks.PackArchive} under the shared
 * {@link dev.penwright.stylepacks.StylePackLimits}, as for every other way a pack arrives.
 */
final class PackUpload {
    static final Pattern STYLE_ID = dev.penwright.stylepacks.StylePackFormat.ID;

    private PackUpload() {
    }

    /** Copies the body to {@code file}, refusing more than {@code maxBytes}. */
    static void receive(InputStream in, Path file, long maxBytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw new ApiError(413, "payload_too_large", "the upload exceeds " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        if (total == 0) {
            throw new ApiError(400, "empty_upload", "the request body is empty; send the pack jar as the body");
        }
    }

    static ApiError invalid(String reason) {
        return new ApiError(422, "invalid_style_pack", reason);
    }

    /** Deletes a folder tree, best effort: it is a temporary folder of ours. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Left for the OS's temp cleaner.
                }
            });
        } catch (IOException ignored) {
            // Same.
        }
    }
}
