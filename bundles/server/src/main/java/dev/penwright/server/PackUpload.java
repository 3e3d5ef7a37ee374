package dev.penwright.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The checks an uploaded style-pack jar passes before anything else reads it: a size cap while receiving, then, on
 * the central directory, an entry count cap, no entry name that could leave the extraction folder, a manifest naming
 * the style, and a cap on the bytes actually inflated (not the sizes the archive claims), which stops zip bombs.
 * Only the {@code style/} entries are extracted, for the validator.
 */
final class PackUpload {
    static final Pattern STYLE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String HEADER = "Penwright-StylePack";
    static final int MAX_MANIFEST_BYTES = 64 * 1024;

    /** What an upload was found to be. */
    record Inspected(String styleId, String version) {
    }

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

    /**
     * @param styleDir an empty folder that receives the {@code style/} entries
     */
    static Inspected inspect(Path jar, Path styleDir, long maxUnpackedBytes, int maxEntries) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (ZipException e) {
            throw invalid("not a jar (zip) file: " + e.getMessage());
        }
        try (zip) {
            if (zip.size() > maxEntries) {
                throw invalid("the jar has " + zip.size() + " entries; at most " + maxEntries + " are allowed");
            }
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                checkName(entries.nextElement().getName());
            }
            Inspected inspected = readManifest(zip);
            long[] budget = {maxUnpackedBytes};
            Path root = styleDir.toAbsolutePath().normalize();
            entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.startsWith("style/") || entry.isDirectory()) {
                    continue;
                }
                Path target = root.resolve(name.substring("style/".length())).normalize();
                if (!target.startsWith(root) || target.equals(root)) {
                    throw invalid("entry " + name + " points outside the style folder");
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(target)) {
                    copyWithin(in, out, budget, maxUnpackedBytes);
                } catch (ZipException e) {
                    throw invalid("entry " + name + " is corrupt: " + e.getMessage());
                }
            }
            return inspected;
        }
    }

    static void checkName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.contains("\\")
                || name.contains("\0") || name.matches("^[A-Za-z]:.*")) {
            throw invalid("entry name '" + printable(name) + "' is absolute or not a plain path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw invalid("entry name '" + printable(name) + "' climbs out of the jar (path traversal)");
            }
        }
    }

    private static Inspected readManifest(ZipFile zip) throws IOException {
        ZipEntry entry = zip.getEntry("META-INF/MANIFEST.MF");
        if (entry == null) {
            throw invalid("no META-INF/MANIFEST.MF: not a style-pack bundle");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw invalid("the manifest is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        Manifest manifest = new Manifest(new java.io.ByteArrayInputStream(bytes));
        String id = manifest.getMainAttributes().getValue(HEADER);
        if (id == null || !STYLE_ID.matcher(id.trim()).matches()) {
            throw invalid("the manifest has no valid " + HEADER + " header (lower-case letters, digits, '.', '_',"
                    + " '-'; at most 64)");
        }
        String version = manifest.getMainAttributes().getValue("Bundle-Version");
        return new Inspected(id.trim(), version == null ? "0.0.0" : version.trim());
    }

    private static void copyWithin(InputStream in, OutputStream out, long[] budget, long max) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            budget[0] -= n;
            if (budget[0] < 0) {
                throw invalid("the pack inflates to more than " + max + " bytes (zip bomb?)");
            }
            out.write(buffer, 0, n);
        }
    }

    static ApiError invalid(String reason) {
        return new ApiError(422, "invalid_style_pack", reason);
    }

    private static String printable(String name) {
        String s = name.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
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
