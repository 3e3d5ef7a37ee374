package dev.penwright.engine.styler;

import dev.penwright.api.plan.ContentPlan;

/**
 * A plan as plain text, with no model: its neutral draft with its numbered lists numbered again and its verbatim
 * blocks back where they stood, which is what the styler's copy cursor writes before any layout of a style's own. The
 * benchmark sets it beside the styled text, so that what the plan's fields bring (list numbers, shell sessions) is
 * not taken for the model's work.
 */
public final class PlanText {
    private PlanText() {
    }

    public static String of(ContentPlan plan) {
        return of(plan.neutralDraft().strip(), plan, true);
    }

    /**
     * {@code text} (the plan's draft, or a section of it, which {@code startsDraft} or not) with the plan's numbered
     * lists and verbatim blocks that fall in it.
     */
    static String of(String text, ContentPlan plan, boolean startsDraft) {
        return VerbatimBlocks.copySource(NumberedItems.copySource(text, plan.numberedItems()), plan.verbatimBlocks(),
                startsDraft);
    }
}
