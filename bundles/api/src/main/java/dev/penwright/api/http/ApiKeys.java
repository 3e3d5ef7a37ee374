package dev.penwright.api.http;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's API-key rule, for the servlet container's edge: it answers some requests before any route is chosen
 * (a path above the root, a malformed escape), and a client without a valid key must learn no more from those than
 * from any other request, which is 401.
 */
@ProviderType
public interface ApiKeys {
    /** What a client without a valid key is told, wherever it is refused. */
    String HINT = "send a valid API key as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'";

    /** Whether requests to the API must carry a key (keys are configured, or the server is bound off loopback). */
    boolean required();

    /**
     * Whether the request's key headers hold a valid key.
     *
     * @param apiKeyHeader  the {@code X-API-Key} header, or null
     * @param authorization the {@code Authorization} header ({@code Bearer KEY}), or null
     */
    boolean accepts(String apiKeyHeader, String authorization);
}
