package dev.penwright.stylepacks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Writes a style-pack bundle from a style folder (what the trainer produces and what tests deploy), and reads one
 * back without installing it (what the benchmark's {@code --packs} does before {@link StylePackValidator}).
 */
public final class StylePackJar {
    /**
     * What a pack jar's manifest says.
     *
     * @param styleId the {@code Penwright-StylePack} header
     * @param version the {@code Bundle-Version}, as OSGi reads it
     */
    public record Header(String styleId, String version) {
    }

    private StylePackJar() {
    }

    /**
     * Copies the {@code style/} entries of a pack jar to {@code styleDir} and returns its manifest's header, as the
     * extender would see the bundle; the folder is then for {@link StylePackValidator#validate(Path, String)}.
     *
     * @throws InvalidStylePackException when the file is not a jar, has no or a malformed header or version, holds
     *                                   an entry that would land outside {@code styleDir}, or exceeds the default
     *                                   {@link PackLimits}
     */
    public static Header read(Path jar, Path styleDir) throws InvalidStylePackException {
        return PackArchive.extractStyle(jar, styleDir, PackLimits.DEFAULTS);
    }

    /**
     * @param jar      the jar to write
     * @param styleId  the style id (the {@code Penwright-StylePack} header)
     * @param version  an OSGi version such as {@code 1.2.0}
     * @param styleDir the folder whose files go under {@code style/}
     */
    public static void write(Path jar, String styleId, String version, Path styleDir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "penwright.stylepack." + styleId);
        main.putValue("Bundle-Version", version);
        main.putValue("Bundle-Name", "Penwright style pack " + styleId);
        main.putValue(StylePackFormat.HEADER, styleId);
        main.putValue("Require-Capability", StylePackFormat.REQUIREMENT);
        if (jar.getParent() != null) {
            Files.createDirectories(jar.getParent());
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(styleDir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            zip.putNextEntry(new JarEntry(StylePackFormat.FOLDER + "/"));
            zip.closeEntry();
            for (Path file : files) {
                String name = StylePackFormat.FOLDER + "/" + styleDir.relativize(file).toString().replace('\\', '/');
                zip.putNextEntry(new JarEntry(name));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }
}
