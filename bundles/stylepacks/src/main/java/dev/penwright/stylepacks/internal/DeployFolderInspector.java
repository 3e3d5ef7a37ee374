package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.penwright.stylepacks.StylePackFormat;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the deploy folder for what no bundle event reports: files FileInstall cannot turn into bundles (garbage
 * named .jar, jars without a manifest) and deploy-folder bundles the framework will not resolve. Both are listed as
 * rejected through the {@link Listing}; a style pack's own verdicts come from the extender. Also answers whether the
 * folder has settled: every jar in it judged.
 */
final class DeployFolderInspector {
    private static final Logger LOG = LoggerFactory.getLogger(DeployFolderInspector.class);
    /** How long an installed bundle may stay unresolved before it is asked to resolve, and rejected if it cannot. */
    private static final Duration RESOLVE_GRACE = Duration.ofSeconds(1);
    /** How long a file must stay unchanged before it is judged no bundle: a copy in progress is not yet one. */
    private static final Duration QUIET = Duration.ofMillis(400);
    private static final String UNRESOLVED = "unresolved";
    private static final String REFUSED = "refused";

    /** What the inspector tells the extender, and asks it. */
    interface Listing {
        void reject(String id, String version, String source, String reason);

        void forgetRejection(String source);

        /** Forgets every rejection whose source passes the test. */
        void forgetRejectionsWhere(Predicate<String> stale);

        boolean isRejected(String source);

        /** Whether the pack bundle's current revision has been judged (active or rejected). */
        boolean judged(Bundle bundle);
    }

    private final BundleContext context;
    private final Path deploy;
    private final Listing listing;
    /** Files of the folder with a verdict of their own (no bundle, unresolved, refused before install). */
    private final Map<Path, String> fileVerdicts = new ConcurrentHashMap<>();
    /** Bundles from the deploy folder seen installed but not resolved, and since when (System.nanoTime). */
    private final Map<Long, Long> unresolvedSince = new ConcurrentHashMap<>();

    DeployFolderInspector(BundleContext context, Path deploy, Listing listing) {
        this.context = context;
        this.deploy = deploy;
        this.listing = listing;
    }

    /** The installer refused the file before the framework stored it. */
    void refused(Path jar) {
        fileVerdicts.put(jar, REFUSED);
    }

    void forget(Path jar) {
        fileVerdicts.remove(jar);
    }

    /** Every jar in the deploy folder is either rejected, or a bundle whose pack (if any) has been judged. */
    boolean isSettled() {
        Map<Path, Bundle> installed = installedFromFiles();
        for (Path jar : deployedJars()) {
            if (fileVerdicts.containsKey(jar)) {
                continue;
            }
            Bundle bundle = installed.get(jar);
            if (bundle == null) {
                return false;
            }
            boolean isPack = bundle.getHeaders().get(StylePackFormat.HEADER) != null;
            if (isPack ? !listing.judged(bundle) && !listing.isRejected(bundle.getLocation())
                    : bundle.getState() != Bundle.ACTIVE && bundle.getState() != Bundle.RESOLVED) {
                return false;
            }
        }
        return true;
    }

    /** One look at the folder: lists what FileInstall could not turn into working bundles, forgets what left. */
    void inspect() {
        try {
            Map<Path, Bundle> installed = installedFromFiles();
            List<Path> jars = deployedJars();
            fileVerdicts.keySet().retainAll(jars);
            listing.forgetRejectionsWhere(source -> source.startsWith("file:") && gone(source, installed, jars));
            for (Path jar : jars) {
                Bundle bundle = installed.get(jar);
                if (bundle != null) {
                    clearFileVerdict(jar);
                    judgeResolution(bundle, jar);
                    continue;
                }
                Optional<String> why = DeployedFile.whyNotABundle(jar);
                if (why.isPresent() && stableFor(jar) && !why.get().equals(fileVerdicts.put(jar, why.get()))) {
                    listing.reject(jar.getFileName().toString(), "", jar.toUri().toString(), why.get());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("deploy folder inspection failed", e);
        }
    }

    /** Whether a rejection from {@code source} (a file URI) is stale: no such file and no bundle from it any more. */
    private static boolean gone(String source, Map<Path, Bundle> installed, List<Path> jars) {
        Path file = pathOf(source);
        return !jars.contains(file) && installed.values().stream().noneMatch(b -> b.getLocation().equals(source));
    }

    Map<Path, Bundle> installedFromFiles() {
        Map<Path, Bundle> byFile = new HashMap<>();
        for (Bundle bundle : context.getBundles()) {
            DeployedFile.fileOf(bundle).ifPresent(file -> byFile.put(file, bundle));
        }
        return byFile;
    }

    List<Path> deployedJars() {
        try (Stream<Path> files = Files.list(deploy)) {
            return files.map(p -> p.toAbsolutePath().normalize()).filter(DeployedFile::isJar).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void judgeResolution(Bundle bundle, Path jar) {
        if (bundle.getState() != Bundle.INSTALLED) {
            unresolvedSince.remove(bundle.getBundleId());
            return;
        }
        long since = unresolvedSince.computeIfAbsent(bundle.getBundleId(), id -> System.nanoTime());
        boolean longUnresolved = System.nanoTime() - since > RESOLVE_GRACE.toNanos();
        String source = bundle.getLocation();
        // Elapsed time alone is no verdict: on a loaded machine FileInstall may not have asked for resolution yet.
        // Ask the framework to resolve it now; only a bundle the resolver refuses is rejected.
        if (longUnresolved && !listing.isRejected(source) && !resolvable(bundle)) {
            String id = Optional.ofNullable(bundle.getHeaders().get(StylePackFormat.HEADER))
                    .orElse(bundle.getSymbolicName());
            listing.reject(id, bundle.getVersion().toString(), source, "the bundle does not resolve (missing "
                    + "requirements: is it built for this runtime? see the log)");
            fileVerdicts.put(jar, UNRESOLVED);
        }
    }

    private boolean resolvable(Bundle bundle) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        return wiring.resolveBundles(List.of(bundle));
    }

    private void clearFileVerdict(Path jar) {
        String verdict = fileVerdicts.get(jar);
        if (verdict != null && !verdict.equals(UNRESOLVED) && !verdict.equals(REFUSED)) {
            fileVerdicts.remove(jar);
            listing.forgetRejection(jar.toUri().toString());
        }
    }

    private static boolean stableFor(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - QUIET.toMillis();
        } catch (IOException e) {
            return false;
        }
    }

    static Path pathOf(String fileUri) {
        try {
            return Path.of(java.net.URI.create(fileUri)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return Path.of("");
        }
    }
}
