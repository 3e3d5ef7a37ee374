package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.stylepacks.StylePackLimits;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.RemoteBaseModels;
import dev.penwright.stylepacks.ValidatedStyle;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extender: every active bundle with a {@code Penwright-StylePack} header is validated and registered as a
 * {@link StylePack} service, or listed as rejected with its reason. A new version of a pack is registered before the
 * old one goes, and a pack that stops (as it does while FileInstall updates it) stays registered for a grace period,
 * so a style is never missing during an update. Files in the deploy folder that never become bundles (garbage named
 * .jar, jars without a manifest) are listed as rejected too.
 */
@Component(service = {StylePackRegistry.class, PackAdmission.class}, immediate = true)
public final class StylePackExtender implements StylePackRegistry, PackAdmission, BundleTrackerCustomizer<String> {
    private static final Logger LOG = LoggerFactory.getLogger(StylePackExtender.class);
    /** How long a stopped pack stays registered, waiting for its updated version. */
    private static final Duration UPDATE_GRACE = Duration.ofSeconds(3);
    /** How often the deploy folder is looked at; FileInstall's own poll is 200 ms. */
    private static final Duration INSPECT_EVERY = Duration.ofMillis(200);
    /** How long an installed bundle may stay unresolved before it counts as rejected. */
    private static final Duration RESOLVE_GRACE = Duration.ofSeconds(1);
    /**
     * How long the extracted files of a replaced or removed pack stay on disk: requests that started on it may still
     * be reading them (the engine loads an adapter on first use); after that nothing refers to them.
     */
    private static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(10);

    private record Active(BundleStylePack pack, ServiceRegistration<StylePack> registration, Instant since) {
    }

    private final Map<String, Active> active = new HashMap<>();
    private final Map<String, StylePackEntry> rejected = new ConcurrentHashMap<>();
    private final Map<Path, String> fileVerdicts = new ConcurrentHashMap<>();
    private final Map<Path, Long> judgedVersions = new ConcurrentHashMap<>();
    /** Bundles from the deploy folder seen installed but not resolved, and since when (System.nanoTime). */
    private final Map<Long, Long> unresolvedSince = new ConcurrentHashMap<>();

    private final BundleContext context;
    private final StylePackValidator validator;
    private final StylePackLimits limits;
    private final Path deploy;
    private final ScheduledExecutorService timer;
    private final BundleTracker<String> tracker;

    @Activate
    public StylePackExtender(BundleContext context, @Reference ModelCatalog models,
                             @Reference StylePackLimits limits, @Reference RemoteBaseModels remote) {
        this.context = context;
        this.validator = new StylePackValidator(models, remote);
        this.limits = limits;
        String deployDir = context.getProperty("penwright.deploy");
        this.deploy = deployDir == null ? null : Path.of(deployDir).toAbsolutePath().normalize();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "penwright-stylepacks");
            thread.setDaemon(true);
            return thread;
        });
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
        tracker.open();
        if (deploy != null) {
            timer.scheduleWithFixedDelay(this::inspectDeployFolder, 0, INSPECT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        tracker.close();
        synchronized (active) {
            active.values().forEach(a -> unregister(a.registration()));
            active.clear();
        }
    }

    @Override
    public String addingBundle(Bundle bundle, BundleEvent event) {
        String styleId = bundle.getHeaders().get(StylePackFormat.HEADER);
        if (styleId == null) {
            return null;
        }
        styleId = styleId.trim();
        String version = bundle.getVersion().toString();
        Path dir = context.getDataFile("packs/" + bundle.getBundleId() + "-" + bundle.getLastModified()).toPath();
        try {
            extractOnce(bundle, dir);
            ValidatedStyle style = validator.validate(dir, styleId);
            activate(new BundleStylePack(style.descriptor(), version, dir, style.exemplars(), style.vocabulary(),
                    bundle.getBundleId(),
                    bundle.getLocation()));
        } catch (InvalidStylePackException e) {
            // A rejected pack leaves no files behind in the framework's storage.
            deleteTree(dir);
            reject(styleId, version, bundle.getLocation(), e.getMessage());
        } finally {
            judgedVersions.put(fileKey(bundle), bundle.getLastModified());
        }
        return styleId;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, String styleId) {
        // Only ACTIVE bundles are tracked, so nothing changes in between.
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, String styleId) {
        rejected.remove(bundle.getLocation());
        Active stopped;
        synchronized (active) {
            stopped = active.get(styleId);
        }
        if (stopped == null || stopped.pack().bundleId() != bundle.getBundleId()) {
            return;
        }
        if (bundle.getState() == Bundle.UNINSTALLED) {
            deactivate(styleId, stopped, false);
        } else {
            timer.schedule(() -> deactivate(styleId, stopped, true), UPDATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void activate(BundleStylePack pack) throws InvalidStylePackException {
        String id = pack.descriptor().id();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(StylePack.ID, id);
        properties.put(StylePack.VERSION, pack.version());
        synchronized (active) {
            Active previous = active.get(id);
            if (previous != null && previous.pack().bundleId() != pack.bundleId()) {
                // The file's name, not its location: reasons reach HTTP answers, which carry no server paths.
                String other = previous.pack().location();
                throw new InvalidStylePackException("style id '" + id + "' is already provided by "
                        + other.substring(other.lastIndexOf('/') + 1));
            }
            ServiceRegistration<StylePack> registration = context.registerService(StylePack.class, pack, properties);
            active.put(id, new Active(pack, registration, Instant.now()));
            if (previous != null) {
                unregister(previous.registration());
                deleteLater(previous.pack().directory(), pack.directory());
            }
        }
        rejected.remove(pack.location());
        LOG.info("style pack {} active ({}, base model {}, {} exemplars) from {}", pack.ref(),
                pack.descriptor().name(), pack.descriptor().baseModel(), pack.exemplars().size(), pack.location());
    }

    /**
     * Removes {@code stopped}, the registration that was current when its bundle stopped, unless another has replaced
     * it since (an update finished, perhaps followed by another) or, after a grace period, its bundle is active again.
     */
    private void deactivate(String styleId, Active stopped, boolean unlessBack) {
        synchronized (active) {
            if (active.get(styleId) != stopped) {
                return;
            }
            Bundle bundle = context.getBundle(stopped.pack().bundleId());
            if (unlessBack && bundle != null && bundle.getState() == Bundle.ACTIVE) {
                return;
            }
            active.remove(styleId);
            unregister(stopped.registration());
            deleteLater(stopped.pack().directory(), null);
            LOG.info("style pack {} removed", stopped.pack().ref());
        }
    }

    /**
     * Extracts the bundle's style folder to {@code dir} unless this revision (same bundle, same last-modified time)
     * already is there: a refresh restarts a pack whose files requests may be reading right now, so they are never
     * rewritten in place. A new extraction goes to a folder of its own and is renamed into place whole.
     */
    private void extractOnce(Bundle bundle, Path dir) throws InvalidStylePackException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path fresh = dir.resolveSibling(dir.getFileName() + ".part-" + System.nanoTime());
        try {
            StyleFolderExtractor.extract(bundle, fresh, limits.limits());
            Files.move(fresh, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Another thread put the same revision in place first: use that one.
            if (!Files.isDirectory(dir)) {
                throw new InvalidStylePackException("cannot store the pack's files", e);
            }
        } finally {
            deleteTree(fresh);
        }
    }

    /** Deletes a pack's extracted files once requests in flight are done with them (unless they are still in use). */
    private void deleteLater(Path dir, Path inUse) {
        if (dir.equals(inUse)) {
            return;
        }
        try {
            timer.schedule(() -> {
                synchronized (active) {
                    if (active.values().stream().anyMatch(a -> a.pack().directory().equals(dir))) {
                        return;
                    }
                }
                deleteTree(dir);
            }, IN_FLIGHT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // The extender is going away with the framework, whose storage goes too.
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the extracted pack folder {}: {}", dir, e.toString());
        }
    }

    @Override
    public Optional<org.osgi.framework.Version> activeVersion(String styleId) {
        synchronized (active) {
            Active a = active.get(styleId);
            return a == null ? Optional.empty() : Optional.of(org.osgi.framework.Version.parseVersion(a.pack().version()));
        }
    }

    @Override
    public void refuse(Path jar, String location, String styleId, String version, String reason, boolean installed) {
        Path file = jar.toAbsolutePath().normalize();
        if (!installed) {
            // Never installed: the deploy-folder inspection must count the file as judged.
            fileVerdicts.put(file, "refused");
        }
        rejected.remove(file.toUri().toString());
        reject(styleId, version, location, reason);
    }

    @Override
    public void forget(Path jar, String location) {
        Path file = jar.toAbsolutePath().normalize();
        fileVerdicts.remove(file);
        rejected.remove(location);
        rejected.remove(file.toUri().toString());
    }

    private void reject(String id, String version, String source, String reason) {
        rejected.put(source, new StylePackEntry(id, version, "", "", "", StylePackState.REJECTED, reason, source,
                Instant.now()));
        LOG.warn("style pack {} from {} rejected: {}", id, source, reason);
    }

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The framework is stopping.
        }
    }

    @Override
    public List<StylePackEntry> entries() {
        List<StylePackEntry> entries = new ArrayList<>();
        synchronized (active) {
            for (Active a : active.values()) {
                BundleStylePack pack = a.pack();
                entries.add(new StylePackEntry(pack.descriptor().id(), pack.version(), pack.descriptor().name(),
                        pack.descriptor().language(), pack.descriptor().baseModel(), StylePackState.ACTIVE, "",
                        pack.location(), a.since()));
            }
        }
        entries.addAll(rejected.values());
        entries.sort(Comparator.comparing(StylePackEntry::id).thenComparing(StylePackEntry::source));
        return entries;
    }

    @Override
    public Optional<StylePack> find(String id) {
        synchronized (active) {
            Active a = active.get(id);
            return a == null ? Optional.empty() : Optional.of(a.pack());
        }
    }

    @Override
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isSettled()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Every jar in the deploy folder is either rejected, or a bundle whose pack (if any) has been judged. */
    private boolean isSettled() {
        if (deploy == null) {
            return true;
        }
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
            boolean judged = Long.valueOf(bundle.getLastModified()).equals(judgedVersions.get(jar));
            if (isPack ? !judged && !rejected.containsKey(bundle.getLocation())
                    : bundle.getState() != Bundle.ACTIVE && bundle.getState() != Bundle.RESOLVED) {
                return false;
            }
        }
        return true;
    }

    /** Lists deploy-folder jars that FileInstall could not turn into working bundles. */
    private void inspectDeployFolder() {
        try {
            Map<Path, Bundle> installed = installedFromFiles();
            List<Path> jars = deployedJars();
            fileVerdicts.keySet().retainAll(jars);
            rejected.keySet().removeIf(source -> source.startsWith("file:") && !installed.values().stream()
                    .anyMatch(b -> b.getLocation().equals(source)) && !jars.contains(pathOf(source)));
            for (Path jar : jars) {
                Bundle bundle = installed.get(jar);
                if (bundle != null) {
                    clearFileVerdict(jar);
                    judgeResolution(bundle, jar);
                    continue;
                }
                Optional<String> why = DeployedFile.whyNotABundle(jar);
                if (why.isPresent() && stableFor(jar, Duration.ofMillis(400))) {
                    if (!why.get().equals(fileVerdicts.put(jar, why.get()))) {
                        reject(jar.getFileName().toString(), "", jar.toUri().toString(), why.get());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("deploy folder inspection failed", e);
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
        if (longUnresolved && !rejected.containsKey(source) && !resolvable(bundle)) {
            String id = Optional.ofNullable(bundle.getHeaders().get(StylePackFormat.HEADER))
                    .orElse(bundle.getSymbolicName());
            reject(id, bundle.getVersion().toString(), source, "the bundle does not resolve (missing requirements: "
                    + "is it built for this runtime? see the log)");
            fileVerdicts.put(jar, "unresolved");
        }
    }

    private boolean resolvable(Bundle bundle) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        return wiring.resolveBundles(List.of(bundle));
    }

    private void clearFileVerdict(Path jar) {
        String verdict = fileVerdicts.get(jar);
        if (verdict != null && !verdict.equals("unresolved") && !verdict.equals("refused")) {
            fileVerdicts.remove(jar);
            rejected.remove(jar.toUri().toString());
        }
    }

    private Map<Path, Bundle> installedFromFiles() {
        Map<Path, Bundle> byFile = new HashMap<>();
        for (Bundle bundle : context.getBundles()) {
            DeployedFile.fileOf(bundle).ifPresent(file -> byFile.put(file, bundle));
        }
        return byFile;
    }

    private List<Path> deployedJars() {
        try (Stream<Path> files = Files.list(deploy)) {
            return files.map(p -> p.toAbsolutePath().normalize()).filter(DeployedFile::isJar).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean stableFor(Path file, Duration quiet) {
        try {
            return Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - quiet.toMillis();
        } catch (IOException e) {
            return false;
        }
    }

    private Path fileKey(Bundle bundle) {
        return DeployedFile.fileOf(bundle).orElse(Path.of(bundle.getLocation().replace(':', '_')));
    }

    private static Path pathOf(String fileUri) {
        try {
            return Path.of(java.net.URI.create(fileUri)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return Path.of("");
        }
    }
}
