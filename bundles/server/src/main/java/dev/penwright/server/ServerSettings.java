package dev.penwright.server;

import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The current {@link ServerConfig}, shared by the filter and the servlets, and where the server is bound: from that
 * follows whether API keys are needed. A configuration change applies to the next request.
 */
@Component(service = ServerSettings.class, configurationPid = ServerConfig.PID)
@Designate(ocd = ServerConfig.class)
public final class ServerSettings {
    /** Limits as plain values, so that tests build them without Config Admin. */
    public record Limits(Set<String> apiKeys, boolean keysRequired, long maxRequestBytes, long maxUploadBytes,
                         long maxUnpackedBytes, int maxUploadEntries, int maxTokens) {
        public Limits {
            apiKeys = Set.copyOf(apiKeys);
        }
    }

    private final String host;
    private final String deployDir;
    private volatile Limits limits;

    @Activate
    public ServerSettings(BundleContext context, ServerConfig config) {
        this.host = valueOr(context.getProperty("org.apache.felix.http.host"), "127.0.0.1");
        this.deployDir = context.getProperty("penwright.deploy");
        modified(config);
    }

    @Modified
    void modified(ServerConfig config) {
        // A .cfg file gives one string; "k1,k2" lists several keys there.
        Set<String> keys = Set.copyOf(List.of(config.apiKeys()).stream().flatMap(k -> List.of(k.split(",")).stream())
                .map(String::trim).filter(k -> !k.isEmpty()).toList());
        this.limits = new Limits(keys, config.requireKeysOnLoopback() || !isLoopback(host),
                Math.max(1024, config.maxRequestBytes()), Math.max(1024, config.maxUploadBytes()),
                Math.max(1024, config.maxUnpackedBytes()), Math.max(1, config.maxUploadEntries()),
                Math.max(1, config.maxTokens()));
    }

    public Limits limits() {
        return limits;
    }

    public String host() {
        return host;
    }

    /** The deploy folder FileInstall watches, or null outside the launcher. */
    public String deployDir() {
        return deployDir;
    }

    static boolean isLoopback(String host) {
        String h = host.trim().toLowerCase();
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static String valueOr(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
