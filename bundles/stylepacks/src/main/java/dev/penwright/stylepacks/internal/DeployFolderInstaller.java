package dev.penwright.stylepacks.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.penwright.api.model.ModelCatalog;
import dev.penwright.stylepacks.DeployFolder;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.PackArchive;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.stylepacks.StylePackLimits;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.RemoteBaseModels;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes style-pack jars in the deploy folder over from FileInstall's own bundle handling, so that a pack is judged
 * before the framework ever stores it: FileInstall offers each file to the registered {@link ArtifactInstaller}s
 * before its built-in bundle installer, and one that claims a file ({@link #canHandle}) installs, updates and
 * uninstalls it. That is the one point where a file can be refused with nothing installed; the framework's own
 * hooks can hide or veto bundles only once they are installed (and stored). Here a pack is
 * <ol>
 * <li>inflated as a stream under the {@link StylePackLimits} (a zip bomb stops at the limit, writing nothing but
 * what is under it, into a temporary folder of this bundle that is deleted afterwards);</li>
 * <li>refused when it would replace an active pack of the same style with a lower version, unless the deploy
 * folder holds a one-time permit for it ({@link DeployFolder#allowDowngrade});</li>
 * <li>validated against its base model ({@link StylePackValidator});</li>
 * </ol>
 * and only then installed and started (or updated, the previous version serving until then). A refused file is
 * listed as REJECTED with the reason, and a refused update leaves the previous version installed. An uninstalled or
 * updated pack is refreshed at once, so the framework drops its stored revision. Jars that are not style packs are
 * left to FileInstall.
 */
@Component(service = ArtifactInstaller.class)
public final class DeployFolderInstaller implements ArtifactInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(DeployFolderInstaller.class);

    private final BundleContext context;
    private final PackAdmission admission;
    private final StylePackLimits limits;
    private final StylePackValidator validator;
    private final Path deploy;
    private final RemoteBaseModels remote;
    /**
     * Packs refused for an unknown base model, judged again when a remote styler starts serving one: at a cold start
     * the deploy folder may be read before the remote styler's configuration.
     */
    private final Set<Path> awaitingModel = ConcurrentHashMap.newKeySet();
    private final Runnable retryAwaiting = this::retryAwaiting;
    private final ExecutorService retries = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "penwright-stylepacks-retry");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public DeployFolderInstaller(BundleContext context, @Reference PackAdmission admission,
                                 @Reference StylePackLimits limits, @Reference ModelCatalog models,
                                 @Reference RemoteBaseModels remote) {
        this.context = context;
        this.admission = admission;
        this.limits = limits;
        this.validator = new StylePackValidator(models, remote);
        this.deploy = admission.deployFolder().orElse(null);
        this.remote = remote;
        remote.onArrival(retryAwaiting);
    }

    @Deactivate
    void deactivate() {
        remote.removeListener(retryAwaiting);
        retries.shutdownNow();
    }

    private void retryAwaiting() {
        for (Path jar : List.copyOf(awaitingModel)) {
            retries.execute(() -> {
                if (awaitingModel.remove(jar) && Files.isRegularFile(jar)) {
                    admit(jar.toFile());
                }
            });
        }
    }

    @Override
    public boolean canHandle(File artifact) {
        Path file = artifact.toPath().toAbsolutePath().normalize();
        return deploy != null && deploy.equals(file.getParent()) && file.getFileName().toString().endsWith(".jar")
                && PackArchive.styleIdOf(file) != null;
    }

    @Override
    public void install(File artifact) {
        admit(artifact);
    }

    @Override
    public void update(File artifact) {
        admit(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        String location = location(artifact);
        admission.forget(artifact.toPath(), location);
        awaitingModel.remove(artifact.toPath().toAbsolutePath().normalize());
        Bundle bundle = context.getBundle(location);
        if (bundle == null) {
            return;
        }
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("could not uninstall {}: {}", location, e.toString());
        }
        refresh(bundle);
    }

    private void admit(File artifact) {
        Path jar = artifact.toPath().toAbsolutePath().normalize();
        String location = location(artifact);
        Bundle installed = context.getBundle(location);
        Path permit = DeployFolder.downgradePermit(jar);
        Path work = null;
        String styleId = jar.getFileName().toString();
        String version = "";
        try {
            StylePackJar.Header header = PackArchive.headerOf(jar);
            styleId = header.styleId();
            version = header.version();
            work = Files.createTempDirectory(context.getDataFile("").toPath(), "admission-");
            PackArchive.extractStyle(jar, work.resolve("style"), limits.limits());
            Optional<Version> current = admission.activeVersion(styleId);
            Version next = Version.parseVersion(header.version());
            if (current.isPresent() && next.compareTo(current.get()) < 0 && !Files.exists(permit)) {
                throw new InvalidStylePackException("version " + next + " is a downgrade from the active "
                        + current.get() + "; deploy it with pen:deploy --allow-downgrade or POST /v1/styles"
                        + "?allowDowngrade=true");
            }
            validator.validate(work.resolve("style"), styleId);
            installRetrying(jar, location);
            admission.forget(jar, location);
            awaitingModel.remove(jar);
        } catch (InvalidStylePackException e) {
            if (e.getMessage().startsWith("unknown base model")) {
                awaitingModel.add(jar);
            }
            admission.refuse(jar, location, styleId, version, e.getMessage(), installed != null);
        } catch (IOException | BundleException | RuntimeException e) {
            LOG.warn("could not install {}", location, e);
            admission.refuse(jar, location, styleId, version, "the framework could not install it (see the log)",
                    installed != null);
        } finally {
            if (work != null) {
                StyleFolderExtractor.deleteTree(work);
            }
            try {
                Files.deleteIfExists(permit);
            } catch (IOException e) {
                LOG.warn("could not delete the downgrade permit {}", permit);
            }
        }
    }

    /**
     * Installs or updates, trying again (up to {@value #INSTALL_ATTEMPTS} times, 0.5 s, then 1 s apart) when the
     * framework refuses: under load a bundle's state change can still be running (a refresh, a stop that waits for
     * requests in flight) when the next file of the same pack arrives, and the framework then refuses the update
     * rather than wait. A valid pack is not refused for that.
     */
    private void installRetrying(Path jar, String location) throws IOException, BundleException {
        for (int attempt = 1; ; attempt++) {
            try {
                install(jar, location, context.getBundle(location));
                return;
            } catch (BundleException | IllegalStateException e) {
                if (attempt >= INSTALL_ATTEMPTS) {
                    throw e;
                }
                LOG.info("installing {} failed ({}); trying again", location, e.toString());
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static final int INSTALL_ATTEMPTS = 3;

    private void install(Path jar, String location, Bundle installed) throws IOException, BundleException {
        try (InputStream in = Files.newInputStream(jar)) {
            if (installed == null) {
                Bundle bundle = context.installBundle(location, in);
                start(bundle);
            } else {
                installed.update(in);
                // The previous revision stays stored until a refresh.
                refresh(installed);
                start(installed);
            }
        }
    }

    private static void start(Bundle bundle) {
        try {
            bundle.start();
        } catch (BundleException e) {
            // An unresolved pack (built for another extender) stays installed; the extender lists it as rejected.
            LOG.info("style pack {} does not start yet: {}", bundle.getLocation(), e.getMessage());
        }
    }

    /** Refreshes and waits (bounded), so that the framework has dropped old revisions before the next file. */
    private void refresh(Bundle bundle) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The location FileInstall gives a file's bundle, so that both agree on what is installed from where. */
    static String location(File artifact) {
        return artifact.getAbsoluteFile().toURI().normalize().toString();
    }
}
