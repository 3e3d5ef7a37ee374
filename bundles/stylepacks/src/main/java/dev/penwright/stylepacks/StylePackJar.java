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
     * @throws InvalidStylePackException when the file is not a jar, has no or a malformed header or version, or
     *                                   holds an entry that would land outside {@code styleDir}
     */
    public static Header read(Path jar, Path styleDir) throws InvalidStylePackException {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String id = manifest == null ? null : manifest.getMainAttributes().getValue(StylePackFormat.HEADER);
            if (id == null || id.isBlank()) {
                throw new InvalidStylePackException("no " + StylePackFormat.HEADER + " header in the manifest: not a"
                        + " style pack");
            }
            String version = manifest.getMainAttributes().getValue("Bundle-Version");
            try {
                version = org.osgi.framework.Version.parseVersion(version == null ? "0.0.0" : version.trim()).toString();
            } catch (IllegalArgumentException e) {
                throw new InvalidStylePackException("Bundle-Version '" + version + "' is not an OSGi version", e);
            }
            Path root = styleDir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            String prefix = StylePackFormat.FOLDER + "/";
            var entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
                    continue;
                }
                Path target = root.resolve(entry.getName().substring(prefix.length())).normalize();
                if (!target.startsWith(root) || target.equals(root)) {
                    throw new InvalidStylePackException("entry " + entry.getName() + " points outside the style folder");
                }
                Files.createDirectories(target.getParent());
                try (var in = file.getInputStream(entry)) {
                    Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new Header(id.trim(), version);
        } catch (java.util.zip.ZipException e) {
            throw new InvalidStylePackException("not a jar (zip) file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidStylePackException("cannot read " + jar.getFileName() + ": " + e.getMessage(), e);
        }
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
