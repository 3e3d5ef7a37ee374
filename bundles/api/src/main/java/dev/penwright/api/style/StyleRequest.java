package dev.penwright.api.style;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;

/**
 * A plan to render.
 *
 * @param plan    what to say
 * @param pack    the voice, or null for the base model with no adapter
 * @param options sampling options over the pack's defaults
 */
public record StyleRequest(ContentPlan plan, StylePack pack, GenerationOptions options) {
}
