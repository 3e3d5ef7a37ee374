package dev.penwright.launcher;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads Equinox from {@code lib/equinox/} beside the launcher jar, its own classes first. Equinox carries a signed copy
 * of Felix's resolver package, which cannot share a class loader with the unsigned one in Felix's jar on the class
 * path. The OSGi API ({@code org.osgi.*}) comes from the class path first: the launcher and every bundle must see the
 * same {@code Framework} and {@code Bundle} classes as Equinox. DJL, SLF4J and the launcher's SPI, which the system
 * bundle exports, are found on the class path too, as with Felix.
 */
final class EquinoxClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    private EquinoxClassLoader(URL jar) {
        super("equinox", new URL[] {jar}, EquinoxClassLoader.class.getClassLoader());
    }

    /** The loader for the one {@code org.eclipse.osgi-*.jar} in the launcher's {@code lib/equinox/}. */
    static EquinoxClassLoader beside(Class<?> launcherClass) {
        Path folder = libFolder(launcherClass).resolve("equinox");
        List<Path> jars;
        try (Stream<Path> files = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
            jars = files.filter(f -> f.getFileName().toString().startsWith("org.eclipse.osgi-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        if (jars.size() != 1) {
            throw new IllegalStateException("expected one org.eclipse.osgi jar in " + folder + ", found " + jars.size()
                    + ": rebuild the launcher (mvn -pl launcher package)");
        }
        try {
            return new EquinoxClassLoader(jars.get(0).toUri().toURL());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path libFolder(Class<?> launcherClass) {
        try {
            Path location = Path.of(launcherClass.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.getParent().resolve("lib");
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the launcher's location is not a file: " + e.getMessage(), e);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("java.")) {
            return super.loadClass(name, resolve);
        }
        boolean osgiApi = name.startsWith("org.osgi.");
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try {
                    loaded = osgiApi ? getParent().loadClass(name) : findClass(name);
                } catch (ClassNotFoundException notThere) {
                    // The OSGi API packages that only Equinox has (log, condpermadmin); DJL and the launcher's SPI.
                    loaded = osgiApi ? findClass(name) : getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    /** Equinox reads its own manifest and property files: they must not be the class path's namesakes. */
    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> all = new java.util.ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }
}
