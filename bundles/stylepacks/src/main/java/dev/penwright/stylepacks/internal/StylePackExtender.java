package dev.penwright.stylepacks.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.Deployment;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackRegistry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.stylepacks.DeployFolder;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.PackArchive;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.stylepacks.StylePackLimits;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.RemoteBaseModels;
import dev.penwright.stylepacks.ValidatedStyle;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.namespace.extender.ExtenderNamespace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extender, owner of every pack version from install to removal. A bundle with a {@code Penwright-StylePack}
 * header that is wired to this extender is validated when it starts and registered as a {@link StylePack} service,
 * or listed as rejected with its reason. The bundle events tell an update from a removal: an update (the bundle
 * stops, is UPDATED in place and starts again) keeps the old version registered until the new one is active, so a
 * style is never missing; an uninstall, or a stop on purpose, withdraws it at once. A withdrawn version's folder is
 * deleted when the last request holding it lets go ({@link StylePack#withdrawn()}).
 */
@Component(service = {StylePackRegistry.class, PackAdmission.class}, immediate = true)
public final class StylePackExtender implements StylePackRegistry, PackAdmission, BundleTrackerCustomizer<String>,
        DeployFolderInspector.Listing {
    private static final Logger LOG = LoggerFactory.getLogger(StylePackExtender.class);
    /** The framework property naming the deploy folder (the launcher sets it); read here alone. */
    static final String DEPLOY_PROPERTY = "penwright.deploy";
    /** How often the deploy folder is looked at for what no bundle event reports; FileInstall's own poll is 200 ms. */
    private static final Duration INSPECT_EVERY = Duration.ofMillis(200);
    /** Every state but UNINSTALLED: the tracker then sees STOPPED, UPDATED and STARTED of the same bundle. */
    private static final int TRACKED = Bundle.INSTALLED | Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE
            | Bundle.STOPPING;

    private final ActivePacks active = new ActivePacks();
    private final Map<String, StylePackEntry> rejected = new ConcurrentHashMap<>();
    /** Per bundle id, the pack whose bundle was stopped on purpose, listed as STOPPED until it starts or goes. */
    private final Map<Long, StylePackEntry> stopped = new ConcurrentHashMap<>();
    /** Per bundle id, the last-modified time of the revision last judged (activated or rejected). */
    private final Map<Long, Long> judged = new ConcurrentHashMap<>();
    private final PackWaiters waiters = new PackWaiters();
    private final AtomicLong extractions = new AtomicLong();

    private final BundleContext context;
    private final StylePackValidator validator;
    private final StylePackLimits limits;
    private final DeployFolder deployFolder;
    private final DeployFolderInspector inspector;
    private final ScheduledExecutorService timer;
    private final BundleTracker<String> tracker;

    @Activate
    public StylePackExtender(BundleContext context, @Reference ModelCatalog models,
                             @Reference StylePackLimits limits, @Reference RemoteBaseModels remote) {
        this.context = context;
        this.validator = new StylePackValidator(models, remote);
        this.limits = limits;
        this.deployFolder = deployFolderSetting(context).map(DeployFolder::new).orElse(null);
        this.inspector = deployFolder == null ? null : new DeployFolderInspector(context, deployFolder.dir(), this);
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "penwright-stylepacks");
            thread.setDaemon(true);
            return thread;
        });
        this.tracker = new BundleTracker<>(context, TRACKED, this);
        tracker.open();
        if (inspector != null) {
            timer.scheduleWithFixedDelay(() -> {
                inspector.inspect();
                checkSettled();
            }, 0, INSPECT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The one reading of the deploy folder setting, the framework property {@value #DEPLOY_PROPERTY} (the launcher
     * sets it): everyone else asks {@link #deployFolder()}. Unset or blank, there is none.
     */
    private static Optional<Path> deployFolderSetting(BundleContext context) {
        String dir = context.getProperty(DEPLOY_PROPERTY);
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir).toAbsolutePath().normalize());
    }

    @Deactivate
    void deactivate() {
        tracker.close();
        active.removeAll().forEach(a -> retire(a, "the extender stops"));
        timer.shutdownNow();
    }

    @Override
    public String addingBundle(Bundle bundle, BundleEvent event) {
        String styleId = bundle.getHeaders().get(StylePackFormat.HEADER);
        if (styleId == null) {
            return null;
        }
        styleId = styleId.trim();
        if (bundle.getState() == Bundle.ACTIVE) {
            judge(bundle, styleId);
        }
        return styleId;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, String styleId) {
        if (event == null) {
            return;
        }
        switch (event.getType()) {
            case BundleEvent.STARTED -> {
                stopped.remove(bundle.getBundleId());
                judge(bundle, styleId);
            }
            // Stopped on purpose (pen or shell 'stop'): withdrawn. Stopped on the way to an update, a refresh or an
            // uninstall, the bundle stays persistently started, and the version serves until the next event says.
            case BundleEvent.STOPPED -> {
                BundleStartLevel startLevel = bundle.adapt(BundleStartLevel.class);
                if (startLevel != null && !startLevel.isPersistentlyStarted() && !fileGone(bundle)) {
                    withdrawFrom(bundle, styleId, "stopped").ifPresent(entry -> stopped.put(bundle.getBundleId(),
                            new StylePackEntry(entry.id(), entry.version(), entry.name(), entry.language(),
                                    entry.baseModel(), StylePackState.STOPPED, "its bundle " + bundle.getBundleId()
                                    + " is stopped: start it to serve the pack again", entry.source(), Instant.now())));
                }
            }
            default -> {
                // UPDATED: the new revision starts next and replaces this version then; the others change nothing.
            }
        }
    }

    /**
     * Whether the bundle's file is gone: the framework stops a bundle on its way to an uninstall as if on purpose, and
     * a deleted file is the uninstall that follows (a pack removed is not listed as STOPPED in the meantime).
     */
    private static boolean fileGone(Bundle bundle) {
        try {
            URI location = URI.create(bundle.getLocation());
            return "file".equals(location.getScheme()) && !Files.exists(Path.of(location));
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            return false;
        }
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, String styleId) {
        judged.remove(bundle.getBundleId());
        stopped.remove(bundle.getBundleId());
        forgetRejection(bundle.getLocation());
        withdrawFrom(bundle, styleId, "removed");
    }

    /** Validates and activates the bundle's current revision, unless it is active already (a refresh restarted it). */
    private void judge(Bundle bundle, String styleId) {
        if (!wiredHere(bundle)) {
            LOG.debug("{} is wired to another style-pack extender", bundle);
            return;
        }
        long revision = bundle.getLastModified();
        if (active.serves(styleId, bundle.getBundleId(), revision)) {
            return;
        }
        String version = bundle.getVersion().toString();
        // A folder of its own for every activation: a withdrawn version's folder is deleted while the next is read.
        Path dir = context.getDataFile("packs/" + bundle.getBundleId() + "-" + revision + "-"
                + extractions.incrementAndGet()).toPath();
        try {
            StyleFolderExtractor.extract(bundle, dir, limits.limits());
            ValidatedStyle style = validator.validate(dir, styleId);
            BundleStylePack pack = new BundleStylePack(style, version,
                    new BundleStylePack.Origin(bundle.getBundleId(), revision, bundle.getLocation()), timer);
            pack.withdrawn().thenRun(() -> StyleFolderExtractor.deleteTree(dir));
            activate(pack);
        } catch (InvalidStylePackException e) {
            // A rejected pack leaves no files behind in the framework's storage.
            StyleFolderExtractor.deleteTree(dir);
            reject(styleId, version, bundle.getLocation(), e.getMessage());
        } finally {
            judged.put(bundle.getBundleId(), revision);
        }
    }

    /**
     * Whether the bundle's extender requirement, if it has one, is wired to this bundle, as Felix SCR checks its own:
     * a pack wired to another extender (a second copy of this bundle) is that one's to serve.
     */
    private boolean wiredHere(Bundle bundle) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return false;
        }
        for (BundleWire wire : wiring.getRequiredWires(ExtenderNamespace.EXTENDER_NAMESPACE)) {
            Object name = wire.getCapability().getAttributes().get(ExtenderNamespace.EXTENDER_NAMESPACE);
            if (StylePackFormat.EXTENDER.equals(name)) {
                return context.getBundle().adapt(BundleRevision.class).equals(wire.getProvider());
            }
        }
        return true;
    }

    private void activate(BundleStylePack pack) throws InvalidStylePackException {
        String id = pack.descriptor().id();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(StylePack.ID, id);
        properties.put(StylePack.VERSION, pack.version());
        ActivePacks.Replaced replaced = active.replace(pack,
                p -> context.registerService(StylePack.class, p, properties));
        if (replaced.previous() != null) {
            retire(replaced.previous(), "replaced by " + pack.version());
        }
        rejected.remove(pack.location());
        LOG.info("style pack {} active ({}, base model {}, {} exemplars) from {}", pack.ref(),
                pack.descriptor().name(), pack.descriptor().baseModel(), pack.exemplars().size(), pack.location());
        verdict(replaced.now().entry());
    }

    /** Withdraws the bundle's active version of the style, if it has one. @return that version's entry */
    private Optional<StylePackEntry> withdrawFrom(Bundle bundle, String styleId, String why) {
        Optional<ActivePacks.Active> current = active.remove(styleId, bundle.getBundleId());
        current.ifPresent(c -> {
            retire(c, why);
            notifyUnlisted();
        });
        return current.map(ActivePacks.Active::entry);
    }

    private void retire(ActivePacks.Active version, String why) {
        unregister(version.registration());
        version.pack().withdraw();
        LOG.info("style pack {} withdrawn ({})", version.pack().ref(), why);
    }

    @Override
    public Optional<Path> deployFolder() {
        return Optional.ofNullable(deployFolder).map(DeployFolder::dir);
    }

    @Override
    public Deployment deploy(Path jar, boolean allowDowngrade) throws IOException {
        if (deployFolder == null) {
            throw new IllegalStateException("this runtime has no deploy folder (" + DEPLOY_PROPERTY + ")");
        }
        Path file = deployFolder.dir().resolve(DeployFolder.targetName(jar));
        String styleId = PackArchive.styleIdOf(jar);
        String version = null;
        if (styleId != null) {
            try {
                version = PackArchive.headerOf(jar).version();
            } catch (InvalidStylePackException e) {
                // Not a readable pack after all: its verdict is the file's.
                styleId = null;
            }
        }
        CompletableFuture<StylePackEntry> verdict = waiters.follow(file, styleId, version);
        try {
            deployFolder.deploy(jar, allowDowngrade);
        } catch (IOException | RuntimeException e) {
            verdict.completeExceptionally(e);
            throw e;
        }
        return new Deployment(file, verdict.minimalCompletionStage());
    }

    private void verdict(StylePackEntry entry) {
        waiters.verdict(entry);
        checkSettled();
    }

    @Override
    public CompletionStage<Void> unlisted(String id) {
        return waiters.unlisted(id, this::listed).minimalCompletionStage();
    }

    private boolean listed(String id) {
        return find(id).isPresent() || rejected.values().stream().anyMatch(e -> e.id().equals(id));
    }

    private void notifyUnlisted() {
        waiters.removed(this::listed);
    }

    @Override
    public Optional<Version> activeVersion(String styleId) {
        return active.version(styleId);
    }

    @Override
    public void refuse(Path jar, String location, String styleId, String version, String reason, boolean installed) {
        Path file = jar.toAbsolutePath().normalize();
        if (!installed && inspector != null) {
            // Never installed: the deploy-folder inspection must count the file as judged.
            inspector.refused(file);
        }
        rejected.remove(file.toUri().toString());
        reject(styleId, version, location, reason);
    }

    @Override
    public void forget(Path jar, String location) {
        Path file = jar.toAbsolutePath().normalize();
        if (inspector != null) {
            inspector.forget(file);
        }
        rejected.remove(location);
        rejected.remove(file.toUri().toString());
        notifyUnlisted();
    }

    @Override
    public void reject(String id, String version, String source, String reason) {
        StylePackEntry entry = new StylePackEntry(id, version, "", "", "", StylePackState.REJECTED, reason, source,
                Instant.now());
        rejected.put(source, entry);
        LOG.warn("style pack {} from {} rejected: {}", id, source, reason);
        verdict(entry);
    }

    @Override
    public void forgetRejection(String source) {
        if (rejected.remove(source) != null) {
            notifyUnlisted();
        }
    }

    @Override
    public void forgetRejectionsWhere(Predicate<String> stale) {
        if (rejected.keySet().removeIf(stale)) {
            notifyUnlisted();
        }
    }

    @Override
    public boolean isRejected(String source) {
        return rejected.containsKey(source);
    }

    @Override
    public boolean judged(Bundle bundle) {
        return Long.valueOf(bundle.getLastModified()).equals(judged.get(bundle.getBundleId()));
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
        List<StylePackEntry> entries = new ArrayList<>(active.entries());
        entries.addAll(rejected.values());
        entries.addAll(stopped.values());
        entries.sort(Comparator.comparing(StylePackEntry::id).thenComparing(StylePackEntry::source));
        return entries;
    }

    @Override
    public Optional<StylePack> find(String id) {
        return active.get(id).map(ActivePacks.Active::pack);
    }

    @Override
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        return inspector == null || waiters.awaitSettled(timeout, inspector::isSettled);
    }

    /** Answers those waiting for the folder to settle: after every verdict and every inspection. */
    private void checkSettled() {
        if (inspector != null) {
            waiters.checkSettled(inspector::isSettled);
        }
    }
}
