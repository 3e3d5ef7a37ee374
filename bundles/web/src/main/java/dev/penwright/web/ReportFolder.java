package dev.penwright.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder of benchmark reports ({@code ./penwright bench notes --out DIR}): which files it holds, and a safe way
 * from a request path to one of them. Only report-like files are listed or served, never anything outside the folder
 * (no {@code ..}, no absolute names, no symbolic link leading out).
 */
final class ReportFolder {
    /** How deep reports may nest: DIR/run/figures/chart.png is enough. */
    static final int MAX_DEPTH = 4;
    /** At most this many files are listed, newest first, so that a wrong folder (say /) cannot stall the page. */
    static final int MAX_FILES = 2000;
    static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "htm", "text/html; charset=utf-8",
            "png", "image/png",
            "svg", "image/svg+xml",
            "json", "application/json",
            "csv", "text/csv; charset=utf-8",
            "md", "text/markdown; charset=utf-8",
            "txt", "text/plain; charset=utf-8");

    /** One file of a report, its path relative to the folder with '/' separators. */
    record ReportFile(String path, String kind, long bytes, Instant modified) {
    }

    private final Path root;

    ReportFolder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    boolean exists() {
        return Files.isDirectory(root);
    }

    /** The report files, newest first; an empty list when the folder does not exist (no report written yet). */
    List<ReportFile> list() throws IOException {
        if (!exists()) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root, MAX_DEPTH)) {
            return files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> kind(f) != null)
                    .filter(f -> !hidden(root.relativize(f)))
                    .map(this::describe)
                    .sorted(Comparator.comparing(ReportFile::modified).reversed().thenComparing(ReportFile::path))
                    .limit(MAX_FILES)
                    .toList();
        }
    }

    /**
     * The file a request names, if it is a report file inside the folder.
     *
     * @param relative the path below the folder, '/'-separated, as it came in the URL
     */
    Optional<Path> resolve(String relative) throws IOException {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")
                || relative.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.empty();
        }
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.startsWith(".")) {
                return Optional.empty();
            }
        }
        Path file = root.resolve(relative).normalize();
        if (!file.startsWith(root) || kind(file) == null || !Files.isRegularFile(file) || !exists()) {
            return Optional.empty();
        }
        // A link inside the folder must not lead out of it.
        if (!file.toRealPath().startsWith(root.toRealPath())) {
            return Optional.empty();
        }
        return Optional.of(file);
    }

    /** The Content-Type of a report file, or null for a file that is not one. */
    static String contentType(Path file) {
        String kind = kind(file);
        return kind == null ? null : TYPES.get(kind);
    }

    private static String kind(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.containsKey(ext) ? ext : null;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private ReportFile describe(Path file) {
        try {
            return new ReportFile(root.relativize(file).toString().replace('\\', '/'), kind(file), Files.size(file),
                    Files.getLastModifiedTime(file).toInstant());
        } catch (IOException e) {
            return new ReportFile(root.relativize(file).toString(), kind(file), -1, Instant.EPOCH);
        }
    }
}
