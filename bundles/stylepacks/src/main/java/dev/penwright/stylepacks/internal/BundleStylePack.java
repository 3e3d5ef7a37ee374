package dev.penwright.stylepacks.internal;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleVocabulary;

/** A validated pack as registered: immutable, one per bundle version. */
record BundleStylePack(StyleDescriptor descriptor, String version, Path directory, List<Exemplar> exemplars,
                       StyleVocabulary vocabulary, long bundleId, String location) implements StylePack {
}
