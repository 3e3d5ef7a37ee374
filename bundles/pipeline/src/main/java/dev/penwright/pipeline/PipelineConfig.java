package dev.penwright.pipeline;

import dev.penwright.api.generate.GenerationService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Limits of the pipeline, from Config Admin (pid {@code dev.penwright.pipeline}, file etc/dev.penwright.pipeline.cfg). */
@ObjectClassDefinition(name = "Penwright pipeline", description = "Queue, timeouts and defaults of generation requests.")
public @interface PipelineConfig {
    String PID = "dev.penwright.pipeline";

    @AttributeDefinition(description = "Requests served at once (each one holds engine batch slots).")
    int maxConcurrent() default 4;

    @AttributeDefinition(description = "Requests that may wait for a slot; more are refused (HTTP 429).")
    int maxQueued() default 32;

    @AttributeDefinition(description = "Seconds a request may take from arrival to answer, queueing included.")
    int timeoutSeconds() default 120;

    @AttributeDefinition(description = "The planner used when a request names none.")
    String defaultPlanner() default GenerationService.DEFAULT_PLANNER;

    @AttributeDefinition(description = "The largest best-of-k a request may ask for.")
    int maxBestOf() default 4;

    @AttributeDefinition(description = "Whether results are scored by the installed evaluators.")
    boolean evaluate() default true;
}
