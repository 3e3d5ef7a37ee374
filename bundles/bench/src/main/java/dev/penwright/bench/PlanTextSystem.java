package dev.penwright.bench;

import java.util.Optional;

import dev.penwright.engine.styler.PlanText;

/**
 * The plan as plain text, no model: its neutral draft with the plan's numbered lists and verbatim blocks put back
 * ({@link PlanText}). Between it and the shipped row lies what the model adds; between it and the neutral draft, what
 * the plan's fields beside the draft add.
 */
public final class PlanTextSystem implements BenchSystem {
    public String key() { return "plan-text"; }
    public String label() { return "Plan as text: draft, numbered lists, verbatim blocks (no model)"; }
    public Optional<String> unavailableReason(String style) { return Optional.empty(); }
    public String generate(String style, BenchItem item) { return PlanText.of(item.plan()); }
}
