package dev.penwright.bench;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.trainer.data.CorpusText;

/** One test text with the plan the planner wrote of it. */
public record BenchItem(CorpusText original, ContentPlan plan, String language) {
}
