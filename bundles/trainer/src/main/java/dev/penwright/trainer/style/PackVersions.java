package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The next pack version: 1.0.N with N one more than any earlier build of this style in the run folder or in the
 * deploy folder, so a new run always replaces what is deployed (the extender keeps the highest version).
 */
final class PackVersions {
    private static final Pattern VERSION = Pattern.compile("1\\.0\\.(\\d+)");

    private PackVersions() {
    }

    static String next(String id, Path out, Path deployDir) throws IOException {
        long max = 0;
        if (Files.isDirectory(out)) {
            Pattern name = Pattern.compile(Pattern.quote(id) + "-1\\.0\\.(\\d+)\\.jar");
            try (Stream<Path> files = Files.list(out)) {
                for (Path p : files.toList()) {
                    Matcher m = name.matcher(p.getFileName().toString());
                    if (m.matches()) {
                        max = Math.max(max, Long.parseLong(m.group(1)));
                    }
                }
            }
        }
        if (deployDir != null) {
            Path deployed = deployDir.resolve(id + ".jar");
            if (Files.isRegularFile(deployed)) {
                try (JarFile jar = new JarFile(deployed.toFile())) {
                    String v = jar.getManifest().getMainAttributes().getValue("Bundle-Version");
                    Matcher m = v == null ? null : VERSION.matcher(v.trim());
                    if (m != null && m.matches()) {
                        max = Math.max(max, Long.parseLong(m.group(1)));
                    }
                } catch (IOException | RuntimeException e) {
                    // An unreadable deployed file does not stop a new build; the extender judges the new one.
                }
            }
        }
        return "1.0." + (max + 1);
    }
}
