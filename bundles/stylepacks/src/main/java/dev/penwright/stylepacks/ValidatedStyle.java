package dev.penwright.stylepacks;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;

/**
 * A style folder that passed validation.
 *
 * @param descriptor its style.json
 * @param directory  the folder
 * @param exemplars  its exemplars.jsonl
 */
public record ValidatedStyle(StyleDescriptor descriptor, Path directory, List<Exemplar> exemplars) {
    public ValidatedStyle {
        exemplars = List.copyOf(exemplars);
    }
}
