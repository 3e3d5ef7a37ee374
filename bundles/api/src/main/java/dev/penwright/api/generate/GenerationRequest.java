package dev.penwright.api.generate;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * One article to write.
 *
 * @param styleId   the style pack to write in; empty for the base model alone
 * @param material  the user's material (ignored when a plan is given)
 * @param plan      a ready plan, or null to have the planner make one
 * @param plannerId the planner to use, or empty for the default
 * @param options   sampling options over the pack's defaults
 * @param bestOf    how many candidates to sample, keeping the best by style and faithfulness (1 = no reranking)
 */
public record GenerationRequest(String styleId, Material material, ContentPlan plan, String plannerId,
                                GenerationOptions options, int bestOf) {
    public GenerationRequest {
        styleId = styleId == null ? "" : styleId;
        plannerId = plannerId == null ? "" : plannerId;
        options = options == null ? GenerationOptions.UNSET : options;
        bestOf = Math.max(1, bestOf);
    }
}
