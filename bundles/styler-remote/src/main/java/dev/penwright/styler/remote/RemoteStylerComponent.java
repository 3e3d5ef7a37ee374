package dev.penwright.styler.remote;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.Styler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One remote backend per factory configuration ({@code etc/dev.penwright.styler.remote-<name>.cfg}): registers a
 * {@link Styler} with the {@link Styler#BASE_MODEL} it serves, so that the pipeline sends that model's packs here and
 * the extender admits them without a local copy of the model. A changed configuration restarts the component (a new
 * client, the same content-addressed adapters); style packs are followed as they come and go.
 */
@Component(configurationPid = RemoteStylerConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = RemoteStylerConfig.class, factory = true)
public final class RemoteStylerComponent {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteStylerComponent.class);
    /** Service property: the backend's name. */
    public static final String BACKEND = "penwright.styler.remote";

    private final ExecutorService workers;
    private final ExecutorService backendCalls;
    private final ScheduledExecutorService timer;
    private final RemoteStyler styler;
    private final ServiceRegistration<Styler> registration;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(!(" + Styler.BASE_MODEL + "=*))")
    private volatile Styler local;

    @Activate
    public RemoteStylerComponent(BundleContext context, RemoteStylerConfig config, Map<String, Object> properties) {
        String pid = String.valueOf(properties.getOrDefault(Constants.SERVICE_PID, "remote"));
        // A named factory configuration's pid is <factory pid>~<name>: remote-b.cfg is backend "b".
        String configName = pid.contains("~") ? pid.substring(pid.lastIndexOf('~') + 1)
                : pid.substring(pid.lastIndexOf('.') + 1);
        RemoteSettings settings = RemoteSettings.of(config, configName, System::getenv);
        String tag = "penwright-remote-" + settings.name();
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, tag + "-" + n.incrementAndGet()));
        this.backendCalls = Executors.newSingleThreadExecutor(r -> daemon(r, tag + "-adapters"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, tag + "-watchdog"));
        this.styler = new RemoteStyler(settings, workers, backendCalls, timer, () -> local,
                message -> LOG.warn("backend " + settings.name() + ": " + message));
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(Styler.BASE_MODEL, settings.baseModel());
        serviceProperties.put(BACKEND, settings.name());
        this.registration = context.registerService(Styler.class, styler, serviceProperties);
        LOG.info("remote styler " + settings.name() + " renders base model "
                + settings.baseModel() + " at " + settings.root() + " (" + settings.selection() + ", "
                + settings.provisioning() + ")");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPack(StylePack pack) {
        RemoteStyler s = styler;
        if (s != null) {
            s.packArrived(pack);
        }
    }

    void removePack(StylePack pack) {
        RemoteStyler s = styler;
        if (s != null) {
            s.packLeft(pack);
        }
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The framework is stopping.
        }
        // Adapters stay loaded on the backend: their names are content-addressed, so a restarted node finds them.
        workers.shutdownNow();
        backendCalls.shutdown();
        timer.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
