package dev.penwright.bench;

import java.util.Optional;

/** Row 1: the plan's neutral draft, as is. */
public final class NeutralDraftSystem implements BenchSystem {
    public String key() { return "neutral-draft"; }
    public String label() { return "Neutral draft (plan)"; }
    public Optional<String> unavailableReason(String style) { return Optional.empty(); }
    public String generate(String style, BenchItem item) { return item.plan().neutralDraft(); }
}
