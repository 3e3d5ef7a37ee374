package dev.penwright.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.osgi.framework.BundleContext;
import dev.penwright.api.http.ApiKeys;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The current {@link ServerConfig}, shared by the filter and the servlets, and where the server is bound: from that
 * follows whether API keys are needed. A configuration change applies to the next request.
 */
@Component(service = {ServerSettings.class, ApiKeys.class}, configurationPid = ServerConfig.PID)
@Designate(ocd = ServerConfig.class)
public final class ServerSettings implements ApiKeys {
    /** Limits as plain values, so that tests build them without Config Admin. */
    public record Limits(Set<String> apiKeys, boolean keysRequired, long maxRequestBytes, long maxUploadBytes,
                         int maxTokens) {
        public Limits {
            apiKeys = Set.copyOf(apiKeys);
        }
    }

    /**
     * Who may call: a loopback-bound server answers only to loopback host names (and {@code allowedHosts}), so that a
     * web page whose name was rebound to 127.0.0.1 cannot read or drive it; state-changing routes take browsers'
     * requests only from the server's own origin or {@code allowedOrigins}.
     */
    public record Access(boolean loopbackOnly, Set<String> allowedHosts, Set<String> allowedOrigins) {
        public Access {
            allowedHosts = Set.copyOf(allowedHosts);
            allowedOrigins = Set.copyOf(allowedOrigins);
        }
    }

    /**
     * Where training over HTTP may read and write: corpora only under {@code corpusRoots}, output only under
     * {@code workDir} (the runtime's own work folder).
     */
    public record TrainingRoots(List<Path> corpusRoots, Path workDir) {
        public TrainingRoots {
            corpusRoots = List.copyOf(corpusRoots);
        }
    }

    private final String host;
    private final Path home;
    private volatile Limits limits;
    private volatile Access access;
    private volatile TrainingRoots trainingRoots;

    @Activate
    public ServerSettings(BundleContext context, ServerConfig config) {
        this.host = valueOr(context.getProperty("org.apache.felix.http.host"), "127.0.0.1");
        this.home = Path.of(valueOr(context.getProperty("penwright.home"), ".")).toAbsolutePath().normalize();
        modified(config);
    }

    @Modified
    void modified(ServerConfig config) {
        Set<String> keys = Set.copyOf(split(config.apiKeys()));
        this.limits = new Limits(keys, config.requireKeysOnLoopback() || !isLoopback(host),
                Math.max(1024, config.maxRequestBytes()), Math.max(1024, config.maxUploadBytes()),
                Math.max(1, config.maxTokens()));
        this.access = new Access(isLoopback(host), Set.copyOf(split(config.allowedHosts()).stream()
                .map(h -> h.toLowerCase(Locale.ROOT)).toList()), Set.copyOf(split(config.allowedOrigins()).stream()
                .map(o -> o.toLowerCase(Locale.ROOT)).toList()));
        List<String> roots = split(config.corpusRoots());
        this.trainingRoots = new TrainingRoots(roots.isEmpty()
                ? List.of(home.resolve("corpora"), home.resolve("uploads"))
                : roots.stream().map(r -> home.resolve(r).toAbsolutePath().normalize()).toList(),
                home.resolve("work"));
    }

    /** A .cfg file gives one string; "a,b" lists several there. */
    private static List<String> split(String[] values) {
        return List.of(values).stream().flatMap(v -> List.of(v.split(",")).stream()).map(String::trim)
                .filter(v -> !v.isEmpty()).distinct().toList();
    }

    public Access access() {
        return access;
    }

    public TrainingRoots trainingRoots() {
        return trainingRoots;
    }

    public Limits limits() {
        return limits;
    }

    public String host() {
        return host;
    }

    static boolean isLoopback(String host) {
        String h = host.trim().toLowerCase();
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static String valueOr(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public boolean required() {
        return limits.keysRequired();
    }

    @Override
    public boolean accepts(String apiKeyHeader, String authorization) {
        return ApiFilter.authorised(apiKeyHeader, authorization, limits);
    }
}
