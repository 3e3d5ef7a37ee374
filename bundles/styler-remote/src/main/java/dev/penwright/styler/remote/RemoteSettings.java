package dev.penwright.styler.remote;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A backend's configuration, checked: every bad value is refused with a message naming the key.
 *
 * @param name          the backend's name in logs and errors
 * @param root          the server's root URL, without a trailing slash or /v1
 * @param apiKey        the API key, or empty
 * @param baseModel     the model the backend serves
 * @param selection     how requests name adapters
 * @param provisioning  how adapters reach the backend
 * @param sharedDir     where adapters are copied, or null
 * @param backendDir    that folder as the backend sees it, or null
 * @param connectTimeout time to open a connection
 * @param timeout       time for one rendering, retries included
 * @param idleTimeout   silence allowed before the head and between pieces
 * @param retries       retries before any text arrived
 * @param maxConcurrent requests in flight at once
 * @param localFallback whether failures fall back to the local engine
 */
public record RemoteSettings(String name, String root, String apiKey, String baseModel, Selection selection,
                             Provisioning provisioning, Path sharedDir, String backendDir, Duration connectTimeout,
                             Duration timeout, Duration idleTimeout, int retries, int maxConcurrent,
                             boolean localFallback) {
    /** How a request names its adapter. */
    public enum Selection {
        /** {@code "model": "<adapter>"}: vLLM, KServe, Penwright. */
        MODEL,
        /** {@code "model": "<base>:<adapter>"}: Ray Serve LLM. */
        MODEL_PREFIX,
        /** {@code "parameters": {"adapter_id": …}} on {@code /generate}: LoRAX, TGI. */
        ADAPTER_ID
    }

    /** How adapters reach the backend. */
    public enum Provisioning {
        LOAD_API, SHARED_DIR, NONE
    }

    public static RemoteSettings of(RemoteStylerConfig c, String configName, java.util.function.UnaryOperator<String> env) {
        String root = required(c.baseUrl(), "baseUrl").replaceAll("/+$", "");
        root = root.endsWith("/v1") ? root.substring(0, root.length() - 3) : root;
        URI uri;
        try {
            uri = URI.create(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl '" + c.baseUrl() + "' is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl '" + c.baseUrl() + "' must be an http or https URL");
        }
        String key = "";
        if (!c.apiKeyEnv().isBlank()) {
            key = env.apply(c.apiKeyEnv().trim());
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("apiKeyEnv names " + c.apiKeyEnv() + ", which is not set");
            }
        }
        Selection selection = choice(Selection.class, c.adapterSelection(), "adapterSelection");
        Provisioning provisioning = choice(Provisioning.class, c.provisioning(), "provisioning");
        Path shared = c.sharedDir().isBlank() ? null : Path.of(c.sharedDir().trim()).toAbsolutePath().normalize();
        if (provisioning == Provisioning.SHARED_DIR && shared == null) {
            throw new IllegalArgumentException("provisioning = shared-dir needs sharedDir");
        }
        String backendDir = c.backendDir().isBlank() ? (shared == null ? null : shared.toString())
                : c.backendDir().trim().replaceAll("/+$", "");
        String fallback = c.fallback().trim().toLowerCase(Locale.ROOT);
        if (!fallback.equals("none") && !fallback.equals("local")) {
            throw new IllegalArgumentException("fallback must be none or local, was '" + c.fallback() + "'");
        }
        positive(c.connectTimeoutMillis(), "connectTimeoutMillis");
        positive(c.timeoutSeconds(), "timeoutSeconds");
        positive(c.idleTimeoutSeconds(), "idleTimeoutSeconds");
        positive(c.maxConcurrent(), "maxConcurrent");
        if (c.retries() < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + c.retries());
        }
        String name = c.name().isBlank() ? configName : c.name().trim();
        return new RemoteSettings(name, root, key, required(c.baseModel(), "baseModel"), selection, provisioning,
                shared, backendDir, Duration.ofMillis(c.connectTimeoutMillis()), Duration.ofSeconds(c.timeoutSeconds()),
                Duration.ofSeconds(c.idleTimeoutSeconds()), c.retries(), c.maxConcurrent(), fallback.equals("local"));
    }

    private static String required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value.trim();
    }

    private static void positive(int value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }

    /** {@code model-prefix} → MODEL_PREFIX, with the accepted words in the message when it is none of them. */
    private static <E extends Enum<E>> E choice(Class<E> type, String value, String key) {
        String word = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(word)) {
                return e;
            }
        }
        String accepted = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(java.util.stream.Collectors.joining(", "));
        throw new IllegalArgumentException(key + " must be one of " + accepted + ", was '" + value + "'");
    }
}
