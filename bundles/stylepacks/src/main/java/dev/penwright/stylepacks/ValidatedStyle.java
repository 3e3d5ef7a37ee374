package dev.penwright.stylepacks;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StyleVocabulary;

/**
 * A style folder that passed validation.
 *
 * @param descriptor its style.json
 * @param directory  the folder
 * @param exemplars  its exemplars.jsonl
 * @param vocabulary its vocabulary.txt, or (a pack without one) the vocabulary of its exemplars
 */
public record ValidatedStyle(StyleDescriptor descriptor, Path directory, List<Exemplar> exemplars,
                             StyleVocabulary vocabulary) {
    public ValidatedStyle {
        exemplars = List.copyOf(exemplars);
        List<String> texts = exemplars.stream().map(Exemplar::text).toList();
        // Whether the style signs off is read from its exemplars, whatever vocabulary file the pack has.
        vocabulary = vocabulary == null ? StyleVocabulary.of(texts)
                : vocabulary.withSignsOff(StyleVocabulary.signsOff(texts));
    }

    /** A validated style whose vocabulary is computed from its exemplars. */
    public ValidatedStyle(StyleDescriptor descriptor, Path directory, List<Exemplar> exemplars) {
        this(descriptor, directory, exemplars, null);
    }
}
