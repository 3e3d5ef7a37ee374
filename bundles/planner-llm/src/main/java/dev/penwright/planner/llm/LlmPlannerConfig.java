package dev.penwright.planner.llm;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One LLM planner, as a Config Admin factory configuration of {@value LlmPlannerComponent#PID} (for example
 * {@code etc/dev.penwright.planner.llm~gpt.cfg}). {@link PlannerSettings} reads and checks these properties.
 */
@ObjectClassDefinition(name = "Penwright LLM planner",
        description = "A planner backed by an OpenAI-compatible endpoint or Ollama, through langchain4j.")
@interface LlmPlannerConfig {
    @AttributeDefinition(description = "Planner id, chosen per request (service property penwright.planner.id)")
    String id();

    @AttributeDefinition(options = {@Option(label = "OpenAI-compatible", value = "openai"),
            @Option(label = "Ollama", value = "ollama")})
    String provider() default "openai";

    @AttributeDefinition(required = false, description = "Endpoint base URL, e.g. http://127.0.0.1:8000/v1 "
            + "(default: https://api.openai.com/v1, or http://localhost:11434 for Ollama)")
    String baseUrl();

    @AttributeDefinition(description = "Model name as the endpoint knows it")
    String model();

    @AttributeDefinition(type = AttributeType.PASSWORD, required = false, description = "API key (never logged)")
    String apiKey();

    @AttributeDefinition(required = false, description = "Name of an environment variable holding the API key")
    String apiKeyEnv();

    @AttributeDefinition(description = "Per-call timeout, and the longest wait for a free slot, in seconds")
    int timeoutSeconds() default 60;

    @AttributeDefinition(description = "Further attempts after invalid output, a timeout, HTTP 429 or 5xx")
    int maxRetries() default 2;

    @AttributeDefinition(description = "When every attempt gave invalid output: fail, or fall back to the "
            + "extractive planner", options = {@Option(label = "fail", value = "fail"),
            @Option(label = "fallback", value = "fallback")})
    String onInvalid() default "fail";

    @AttributeDefinition(description = "When the endpoint cannot be used (HTTP errors, timeouts): fail, or fall "
            + "back to the extractive planner", options = {@Option(label = "fail", value = "fail"),
            @Option(label = "fallback", value = "fallback")})
    String onError() default "fail";

    @AttributeDefinition(description = "Most plans in flight at once for this planner")
    int maxConcurrent() default 4;

    double temperature() default 0.2;

    @AttributeDefinition(description = "Ask the endpoint for JSON output (response_format json_object / format json)")
    boolean jsonMode() default true;

    @AttributeDefinition(required = false, description = "Path of a prompt template overriding the built-in one; "
            + "placeholders {{brief}} {{facts}} {{article}} {{language}}")
    String promptTemplate();
}
