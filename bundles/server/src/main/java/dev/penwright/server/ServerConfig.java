package dev.penwright.server;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Security and limits of the HTTP API: Config Admin pid {@code dev.penwright.server} (etc/dev.penwright.server.cfg). */
@ObjectClassDefinition(name = "Penwright server", description = "API keys and request limits of the HTTP API.")
public @interface ServerConfig {
    String PID = "dev.penwright.server";

    @AttributeDefinition(description = "API keys accepted as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'. Required"
            + " on every route but /health when the server is bound to an address other than loopback.")
    String[] apiKeys() default {};

    @AttributeDefinition(description = "Require API keys even on loopback.")
    boolean requireKeysOnLoopback() default false;

    @AttributeDefinition(description = "Largest JSON request body, in bytes.")
    long maxRequestBytes() default 1_048_576;

    @AttributeDefinition(description = "Largest style-pack upload, in bytes.")
    long maxUploadBytes() default 268_435_456;

    @AttributeDefinition(description = "Largest total uncompressed size of an uploaded pack, in bytes (zip bombs).")
    long maxUnpackedBytes() default 1_073_741_824;

    @AttributeDefinition(description = "Largest number of entries in an uploaded pack.")
    int maxUploadEntries() default 10_000;

    @AttributeDefinition(description = "Upper bound on new tokens a request may ask for.")
    int maxTokens() default 2048;
}
