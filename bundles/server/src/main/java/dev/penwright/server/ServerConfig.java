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

    @AttributeDefinition(description = "Largest style-pack upload as sent, in bytes. What it may inflate to is the"
            + " stylepacks bundle's limit (etc/dev.penwright.stylepacks.cfg), the same for every route.")
    long maxUploadBytes() default 67_108_864;

    @AttributeDefinition(description = "Upper bound on new tokens a request may ask for.")
    int maxTokens() default 2048;

    @AttributeDefinition(description = "Folders POST /v1/train may read corpora from (after symlinks are resolved)."
            + " Empty: the runtime's own corpora/ and uploads/ under penwright.home.")
    String[] corpusRoots() default {};

    @AttributeDefinition(description = "Origins (scheme://host:port) besides the server's own that may call"
            + " state-changing routes from a browser.")
    String[] allowedOrigins() default {};

    @AttributeDefinition(description = "Host names besides localhost, 127.0.0.1 and [::1] that a loopback-bound"
            + " server answers to (DNS rebinding guard).")
    String[] allowedHosts() default {};
}
