package dev.penwright.launcher.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step: lists every package of the jars the launcher shares with bundles (DJL, its PyTorch engine, the HF
 * tokenizers, SLF4J) with the jar's version, one {@code package;version=x.y.z} a line. The launcher joins them into
 * {@code org.osgi.framework.system.packages.extra}, which takes no wildcards; generating it keeps it exact when a
 * version changes.
 */
public final class SystemPackagesGenerator {
    private static final Pattern VERSION = Pattern.compile("-(\\d+(?:\\.\\d+){0,2})[^/]*\\.jar$");

    private SystemPackagesGenerator() {
    }

    public static void main(String[] args) throws IOException {
        String classpath = Files.readString(Path.of(args[0])).trim();
        Map<String, String> packages = new TreeMap<>();
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            Matcher version = VERSION.matcher(jar);
            if (!version.find()) {
                throw new IllegalStateException("no version in jar name " + jar);
            }
            try (JarFile file = new JarFile(jar)) {
                file.stream()
                        .map(entry -> entry.getName())
                        .filter(name -> name.endsWith(".class") && name.indexOf('/') > 0
                                && !name.startsWith("META-INF/"))
                        .map(name -> name.substring(0, name.lastIndexOf('/')).replace('/', '.'))
                        .forEach(pkg -> packages.put(pkg, version.group(1)));
            }
        }
        StringBuilder out = new StringBuilder();
        packages.forEach((pkg, v) -> out.append(pkg).append(";version=").append(v).append('\n'));
        Path target = Path.of(args[1]);
        Files.createDirectories(target.getParent());
        Files.writeString(target, out);
    }
}
