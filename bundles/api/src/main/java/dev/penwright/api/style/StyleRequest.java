package dev.penwright.api.style;

import java.util.List;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;

/**
 * A plan to render.
 *
 * @param plan    what to say
 * @param pack    the voice, or null for the base model with no adapter
 * @param options sampling options over the pack's defaults
 * @param shots   few-shot exemplars rendered before the plan, most useful first: when the prompt would not fit the
 *                model's context with room for the new tokens, the styler drops them from the end, then shortens the
 *                plan's draft (see {@link StyledText#shotsUsed()} and {@link StyledText#planTruncated()})
 */
public record StyleRequest(ContentPlan plan, StylePack pack, GenerationOptions options, List<Shot> shots) {
    public StyleRequest {
        shots = shots == null ? List.of() : List.copyOf(shots);
    }

    /** A request with no few-shot exemplars (what every request was before shots existed). */
    public StyleRequest(ContentPlan plan, StylePack pack, GenerationOptions options) {
        this(plan, pack, options, List.of());
    }
}
