package dev.penwright.api.style;

/** A text in the pack's voice, shipped with it (few-shot prompts, the style classifier, retrieval). */
public record Exemplar(String id, String title, String text) {
}
