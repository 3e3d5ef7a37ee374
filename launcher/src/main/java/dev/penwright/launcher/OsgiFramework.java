package dev.penwright.launcher;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The OSGi framework the runtime embeds: Felix (the default, on the launcher's class path) or Equinox.
 */
enum OsgiFramework {
    FELIX("org.apache.felix.framework.FrameworkFactory") {
        @Override
        Map<String, String> ownConfiguration(Path storage) {
            return Map.of();
        }
    },
    EQUINOX("org.eclipse.osgi.launch.EquinoxFactory") {
        /**
         * The compatibility boot delegation is off: by default Equinox lends every bundle the application class path,
         * which would hide a missing Import-Package that Felix and Karaf report. The user and instance areas go into
         * the storage folder rather than the home directory and the working directory.
         */
        @Override
        Map<String, String> ownConfiguration(Path storage) {
            return Map.of("osgi.compatibility.bootdelegation", "false",
                    "osgi.user.area", storage.resolve("user").toString(),
                    "osgi.instance.area", storage.resolve("instance").toString());
        }
    };

    private final String factoryClass;

    OsgiFramework(String factoryClass) {
        this.factoryClass = factoryClass;
    }

    abstract Map<String, String> ownConfiguration(Path storage);

    /** The name on the command line and in the storage folder's name. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static OsgiFramework named(String name) {
        return Arrays.stream(values()).filter(f -> f.id().equals(name.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown framework '" + name + "': use one of "
                        + Arrays.stream(values()).map(OsgiFramework::id).collect(Collectors.joining(", "))));
    }

    /** A new framework with {@code common} configuration plus this framework's own. */
    Framework create(Map<String, String> common, Path storage) {
        Map<String, String> config = new HashMap<>(common);
        config.putAll(ownConfiguration(storage));
        return factory().newFramework(config);
    }

    /** Felix is on the launcher's class path; Equinox has a class loader of its own. */
    private FrameworkFactory factory() {
        ClassLoader loader = this == EQUINOX ? EquinoxClassLoader.beside(OsgiFramework.class)
                : OsgiFramework.class.getClassLoader();
        try {
            return (FrameworkFactory) Class.forName(factoryClass, true, loader).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + id() + " framework (" + factoryClass + ") for the launcher: "
                    + "rebuild it (mvn -pl launcher package)", e);
        }
    }
}
