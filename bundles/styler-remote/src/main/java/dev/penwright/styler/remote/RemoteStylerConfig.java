package dev.penwright.styler.remote;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One rendering backend: {@code etc/dev.penwright.styler.remote-<name>.cfg}, read live. */
@ObjectClassDefinition(name = "Penwright remote styler",
        description = "Renders the packs of one base model through an OpenAI-compatible multi-LoRA server")
public @interface RemoteStylerConfig {
    String FACTORY_PID = "dev.penwright.styler.remote";

    @AttributeDefinition(description = "The backend's name in logs and errors; empty: the configuration's name")
    String name() default "";

    @AttributeDefinition(description = "The server's root URL, such as http://vllm:8000 (a trailing /v1 is "
            + "ignored): completions go to /v1/completions, LoRAX's to /generate_stream")
    String baseUrl();

    @AttributeDefinition(description = "Environment variable holding the API key sent as 'Authorization: Bearer'; "
            + "empty: none")
    String apiKeyEnv() default "";

    @AttributeDefinition(description = "The base model the backend serves, matched against packs' baseModel; it is "
            + "also the 'model' of requests without a pack")
    String baseModel();

    @AttributeDefinition(description = "How a request names its adapter: model (vLLM, KServe, Penwright), "
            + "model-prefix (base:adapter, Ray Serve LLM) or adapter-id (parameters.adapter_id, LoRAX and TGI)")
    String adapterSelection() default "model";

    @AttributeDefinition(description = "How adapters reach the backend: load-api (vLLM's /v1/load_lora_adapter), "
            + "shared-dir (copied into sharedDir, for resolver plugins and LoRAX's local source) or none (the fleet "
            + "already serves each style under its id)")
    String provisioning() default "load-api";

    @AttributeDefinition(description = "A folder the backend reads too: adapters are copied there under their "
            + "content-addressed names; empty (load-api only): the backend is sent the pack's own folder")
    String sharedDir() default "";

    @AttributeDefinition(description = "sharedDir as the backend sees it (another mount point); empty: sharedDir")
    String backendDir() default "";

    @AttributeDefinition(description = "Milliseconds to open a connection")
    int connectTimeoutMillis() default 2000;

    @AttributeDefinition(description = "Seconds one rendering may take, retries included")
    int timeoutSeconds() default 60;

    @AttributeDefinition(description = "Seconds the backend may stay silent before the answer's head or between "
            + "streamed pieces")
    int idleTimeoutSeconds() default 15;

    @AttributeDefinition(description = "Retries of a request that failed before any text arrived (connection "
            + "refused, 5xx, 429)")
    int retries() default 2;

    @AttributeDefinition(description = "Requests sent to the backend at once; more wait for a free slot")
    int maxConcurrent() default 16;

    @AttributeDefinition(description = "What a failed request (before any text arrived) does: none (a JSON error) "
            + "or local (render on this node's engine, when it holds the model)")
    String fallback() default "none";
}
