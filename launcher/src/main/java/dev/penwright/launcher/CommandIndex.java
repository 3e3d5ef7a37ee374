package dev.penwright.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import dev.penwright.launcher.spi.CommandHelp;

/**
 * The runtime's commands with their summaries and {@code --help} texts, kept in {@code HOME/system/commands.properties}
 * after a runtime has listed them, so that {@code help} and {@code <command> --help} answer without starting one
 * (starting one takes seconds). The file is valid only for the bundles and launcher it was written with: it carries a
 * fingerprint of their names, sizes and modification times, and a rebuild or an added bundle makes it stale.
 * Commands offered by bundles in the deploy folder are not part of the fingerprint: that folder holds style packs.
 */
final class CommandIndex {
    private static final String FINGERPRINT = "fingerprint";
    private final Path file;
    private final Path bundles;

    CommandIndex(Path home) {
        this.bundles = home.resolve("system").resolve("bundles");
        this.file = home.resolve("system").resolve("commands.properties");
    }

    /** The commands, when the file exists and was written for the bundles and launcher present now. */
    Optional<List<CommandHelp>> read() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties stored = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            stored.load(in);
            if (!fingerprint().equals(stored.getProperty(FINGERPRINT))) {
                return Optional.empty();
            }
        } catch (IOException | IllegalArgumentException unreadable) {
            // A damaged index is rebuilt by the next runtime, like a stale one.
            return Optional.empty();
        }
        List<CommandHelp> commands = new ArrayList<>();
        for (int i = 0; stored.containsKey(key(i, "name")); i++) {
            commands.add(new CommandHelp(stored.getProperty(key(i, "name")), stored.getProperty(key(i, "summary"), ""),
                    stored.getProperty(key(i, "usage"), "")));
        }
        return Optional.of(List.copyOf(commands));
    }

    /** Whether the file is missing or was written for other bundles or another launcher. */
    boolean stale() {
        return read().isEmpty();
    }

    /** Writes the commands beside, then renames into place: a concurrent reader sees the old file or the new one. */
    void write(List<CommandHelp> commands) throws IOException {
        Properties stored = new Properties();
        stored.setProperty(FINGERPRINT, fingerprint());
        for (int i = 0; i < commands.size(); i++) {
            stored.setProperty(key(i, "name"), commands.get(i).name());
            stored.setProperty(key(i, "summary"), commands.get(i).summary());
            stored.setProperty(key(i, "usage"), commands.get(i).usage());
        }
        Path partial = Files.createTempFile(file.getParent(), "commands-", ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            stored.store(out, "Written by the launcher from a runtime's commands; rewritten when the bundles change.");
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String key(int index, String field) {
        return "command." + index + "." + field;
    }

    /** SHA-256 over the name, size and modification time of every system bundle and of the launcher jar. */
    private String fingerprint() throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(bundles)) {
            try (Stream<Path> files = Files.list(bundles)) {
                files.filter(path -> path.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        launcherJar().ifPresent(jars::add);
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path jar : jars) {
                String entry = jar.getFileName() + ":" + Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis()
                        + "\n";
                digest.update(entry.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Optional<Path> launcherJar() {
        java.security.CodeSource source = CommandIndex.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
        } catch (URISyntaxException notAFile) {
            return Optional.empty();
        }
    }
}
