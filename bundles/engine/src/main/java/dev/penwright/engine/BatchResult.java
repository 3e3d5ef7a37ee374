package dev.penwright.engine;

import java.util.List;

/**
 * The outcome of {@link LanguageModel#run}: the generations in request order, and what speculative decoding did.
 */
public record BatchResult(List<Generation> generations, SpeculationStats speculation) {
    public BatchResult {
        generations = List.copyOf(generations);
    }
}
