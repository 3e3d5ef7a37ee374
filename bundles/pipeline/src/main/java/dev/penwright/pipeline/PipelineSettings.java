package dev.penwright.pipeline;

import dev.penwright.api.generate.GenerationService;

/** {@link PipelineConfig} as a plain value, so that tests and the component share one type. */
public record PipelineSettings(int maxConcurrent, int maxQueued, int timeoutSeconds, String defaultPlanner,
                               int maxBestOf, boolean evaluate) {
    public static final PipelineSettings DEFAULTS = new PipelineSettings(4, 32, 120,
            GenerationService.DEFAULT_PLANNER, 4, true);

    static PipelineSettings of(PipelineConfig c) {
        return new PipelineSettings(Math.max(1, c.maxConcurrent()), Math.max(0, c.maxQueued()),
                Math.max(1, c.timeoutSeconds()),
                c.defaultPlanner().isBlank() ? GenerationService.DEFAULT_PLANNER : c.defaultPlanner(),
                Math.max(1, c.maxBestOf()), c.evaluate());
    }
}
