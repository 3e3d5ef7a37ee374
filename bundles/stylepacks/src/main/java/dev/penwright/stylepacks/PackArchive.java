package dev.penwright.stylepacks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a style-pack jar under {@link PackLimits} without trusting anything it claims: the entry count from its
 * central directory (what the framework reads too), entry names that could leave a folder, a manifest of bounded
 * size, and then every entry inflated as a stream whose bytes are counted as they come out, so a zip bomb is
 * stopped after at most the limit, whatever sizes its headers declare. Nothing is written unless asked
 * ({@link #extractStyle}), and then only within the same budget.
 */
public final class PackArchive {
    static final int MAX_MANIFEST_BYTES = 64 * 1024;
    private static final String BUNDLE_VERSION = "Bundle-Version";

    private PackArchive() {
    }

    /**
     * Checks the whole jar against {@code limits}, inflating every entry into nothing.
     *
     * @return the manifest's style id and version
     * @throws InvalidStylePackException naming the limit or the entry that fails
     */
    public static StylePackJar.Header check(Path jar, PackLimits limits) throws InvalidStylePackException {
        return read(jar, limits, null);
    }

    /**
     * Checks the whole jar and copies its {@code style/} entries to {@code styleDir}.
     */
    public static StylePackJar.Header extractStyle(Path jar, Path styleDir, PackLimits limits)
            throws InvalidStylePackException {
        return read(jar, limits, styleDir.toAbsolutePath().normalize());
    }

    /** The four bytes every zip file opens with: a local file header. */
    private static final byte[] LOCAL_HEADER = {'P', 'K', 3, 4};

    /**
     * Refuses a file with bytes before its first entry. {@link ZipFile} reads from the end and accepts them (as in a
     * self-extracting archive), but readers that stream from the start, as the framework's deployers do, find no
     * jar: an upload sent with its multipart envelope was accepted and then broke the runtime's next start.
     */
    private static void requirePlainZip(Path jar) throws InvalidStylePackException {
        byte[] start;
        try (InputStream in = Files.newInputStream(jar)) {
            start = in.readNBytes(LOCAL_HEADER.length);
        } catch (IOException e) {
            throw new InvalidStylePackException("the jar cannot be read", e);
        }
        if (!java.util.Arrays.equals(start, LOCAL_HEADER)) {
            throw new InvalidStylePackException("not a jar (zip) file: it does not start with a zip entry (a"
                    + " multipart envelope or other bytes before it?)");
        }
    }

    /** The style id of a jar's manifest, read within a bounded size, or null when it is no style pack. */
    public static String styleIdOf(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Manifest manifest = manifest(zip);
            String id = manifest == null ? null : manifest.getMainAttributes().getValue(StylePackFormat.HEADER);
            return id == null || id.isBlank() ? null : id.trim();
        } catch (IOException | InvalidStylePackException e) {
            return null;
        }
    }

    /** A pack jar's manifest header (style id and version) alone, read within a bounded size. */
    public static StylePackJar.Header headerOf(Path jar) throws InvalidStylePackException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return header(zip);
        } catch (IOException e) {
            throw new InvalidStylePackException("not a jar (zip) file", e);
        }
    }

    private static StylePackJar.Header read(Path jar, PackLimits limits, Path styleDir)
            throws InvalidStylePackException {
        requirePlainZip(jar);
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (IOException e) {
            throw new InvalidStylePackException("not a jar (zip) file", e);
        }
        try (zip) {
            if (zip.size() > limits.maxEntries()) {
                throw new InvalidStylePackException("the jar has " + zip.size() + " entries; at most "
                        + limits.maxEntries() + " are allowed (maxEntries)");
            }
            StylePackJar.Header header = header(zip);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                checkName(entries.nextElement().getName());
            }
            Budget budget = new Budget(limits, Files.size(jar));
            entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                Path target = styleDir == null ? null : target(styleDir, entry.getName());
                try (InputStream in = zip.getInputStream(entry);
                     OutputStream out = target == null ? OutputStream.nullOutputStream() : create(target)) {
                    budget.copy(entry, in, out);
                } catch (ZipException e) {
                    throw new InvalidStylePackException("entry " + printable(entry.getName()) + " is corrupt", e);
                }
            }
            return header;
        } catch (IOException e) {
            throw new InvalidStylePackException("the jar cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static OutputStream create(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return Files.newOutputStream(target);
    }

    /** Where a {@code style/} entry lands in {@code styleDir}, or null for entries outside {@code style/}. */
    private static Path target(Path styleDir, String name) throws InvalidStylePackException {
        String prefix = StylePackFormat.FOLDER + "/";
        if (!name.startsWith(prefix)) {
            return null;
        }
        Path target = styleDir.resolve(name.substring(prefix.length())).normalize();
        if (!target.startsWith(styleDir) || target.equals(styleDir)) {
            throw new InvalidStylePackException("entry " + printable(name) + " points outside the style folder");
        }
        return target;
    }

    /** Refuses names that are absolute, climb with {@code ..}, or are not plain forward-slash paths. */
    public static void checkName(String name) throws InvalidStylePackException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")
                || name.matches("^[A-Za-z]:.*")) {
            throw new InvalidStylePackException("entry name '" + printable(name) + "' is absolute or not a plain"
                    + " path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new InvalidStylePackException("entry name '" + printable(name) + "' climbs out of the jar"
                        + " (path traversal)");
            }
        }
    }

    private static Manifest manifest(ZipFile zip) throws IOException, InvalidStylePackException {
        ZipEntry entry = zip.getEntry("META-INF/MANIFEST.MF");
        if (entry == null) {
            return null;
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new InvalidStylePackException("the manifest is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        return new Manifest(new ByteArrayInputStream(bytes));
    }

    private static StylePackJar.Header header(ZipFile zip) throws IOException, InvalidStylePackException {
        Manifest manifest = manifest(zip);
        if (manifest == null) {
            throw new InvalidStylePackException("no META-INF/MANIFEST.MF: not a style-pack bundle");
        }
        String id = manifest.getMainAttributes().getValue(StylePackFormat.HEADER);
        if (id == null || !StylePackFormat.ID.matcher(id.trim()).matches()) {
            throw new InvalidStylePackException("the manifest has no valid " + StylePackFormat.HEADER + " header"
                    + " (lower-case letters, digits, '.', '_', '-'; at most 64)");
        }
        String version = manifest.getMainAttributes().getValue(BUNDLE_VERSION);
        try {
            version = org.osgi.framework.Version.parseVersion(version == null ? "0.0.0" : version.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidStylePackException("Bundle-Version '" + printable(version) + "' is not an OSGi version",
                    e);
        }
        return new StylePackJar.Header(id.trim(), version);
    }

    static String printable(String name) {
        String s = name.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    /** The bytes still allowed, counted as they inflate. */
    private static final class Budget {
        private final PackLimits limits;
        private final long storedBytes;
        private long total;

        Budget(PackLimits limits, long storedBytes) {
            this.limits = limits;
            this.storedBytes = Math.max(1, storedBytes);
        }

        void copy(ZipEntry entry, InputStream in, OutputStream out) throws IOException, InvalidStylePackException {
            byte[] buffer = new byte[64 * 1024];
            long stored = Math.max(1, entry.getCompressedSize());
            long inflated = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                inflated += n;
                total += n;
                String name = printable(entry.getName());
                if (inflated > limits.maxEntryBytes()) {
                    throw new InvalidStylePackException("entry " + name + " inflates to more than "
                            + limits.maxEntryBytes() + " bytes (maxEntryBytes; a zip bomb?)");
                }
                if (total > limits.maxInflatedBytes()) {
                    throw new InvalidStylePackException("the pack inflates to more than " + limits.maxInflatedBytes()
                            + " bytes (maxInflatedBytes; a zip bomb?)");
                }
                if (inflated > PackLimits.RATIO_FLOOR_BYTES && inflated / stored > limits.maxRatio()) {
                    throw new InvalidStylePackException("entry " + name + " inflates more than " + limits.maxRatio()
                            + " times its stored size (maxRatio; a zip bomb?)");
                }
                if (total > PackLimits.RATIO_FLOOR_BYTES && total / storedBytes > limits.maxRatio()) {
                    throw new InvalidStylePackException("the pack inflates more than " + limits.maxRatio()
                            + " times its size (maxRatio; a zip bomb?)");
                }
                out.write(buffer, 0, n);
            }
        }
    }
}
