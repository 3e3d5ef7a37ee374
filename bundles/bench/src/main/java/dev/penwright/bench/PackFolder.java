package dev.penwright.bench;

import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.api.style.StylePack;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.ValidatedStyle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Style-pack jars from a folder ({@code --packs}), found recursively ({@code *.jar}), read and validated exactly as
 * the extender validates a deployed bundle ({@link StylePackJar#read} then {@link StylePackValidator}), without being
 * installed. A trainer's output folder holds the final pack and one jar a completed stage
 * ({@code stages/<stage>/<id>-<version>.jar}); each jar's stage comes from its report.json ({@link PackStages}).
 * The extracted folders live until {@link #close()}.
 */
public final class PackFolder implements AutoCloseable {
    /** A validated pack read from a jar, with the vocabulary and form words it ships (as the extender reads them). */
    public record LoadedPack(StyleDescriptor descriptor, String version, Path directory, List<Exemplar> exemplars,
                             Path jar, StyleVocabulary vocabulary) implements StylePack {
        public LoadedPack {
            exemplars = List.copyOf(exemplars);
        }
    }

    /** A jar the validator refused, and why. */
    public record Rejected(Path jar, String reason) {
    }

    private final Path work;
    private final List<LoadedPack> packs;
    private final List<Rejected> rejected;

    private PackFolder(Path work, List<LoadedPack> packs, List<Rejected> rejected) {
        this.work = work;
        this.packs = List.copyOf(packs);
        this.rejected = List.copyOf(rejected);
    }

    /**
     * @param models the base models the packs are checked against (name and fingerprint), as the extender does
     * @throws IllegalArgumentException when {@code dir} is not a folder
     */
    public static PackFolder load(Path dir, ModelCatalog models) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--packs: not a folder: " + dir);
        }
        List<Path> jars;
        try (Stream<Path> walk = Files.walk(dir)) {
            jars = walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".jar")).sorted()
                    .toList();
        }
        Path work = Files.createTempDirectory("penwright-bench-packs-");
        StylePackValidator validator = new StylePackValidator(models);
        List<LoadedPack> packs = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < jars.size(); i++) {
            Path jar = jars.get(i);
            Path styleDir = work.resolve(Integer.toString(i));
            try {
                StylePackJar.Header header = StylePackJar.read(jar, styleDir);
                ValidatedStyle style = validator.validate(styleDir, header.styleId());
                packs.add(new LoadedPack(style.descriptor(), header.version(), styleDir, style.exemplars(), jar,
                        style.vocabulary()));
            } catch (InvalidStylePackException e) {
                rejected.add(new Rejected(jar, e.getMessage()));
            }
        }
        return new PackFolder(work, packs, rejected);
    }

    public List<LoadedPack> packs() {
        return packs;
    }

    public List<Rejected> rejected() {
        return rejected;
    }

    /**
     * The packs a run uses: these, and of the installed ones only those for styles none of these serves (a pack
     * serves a style by its id or name), so a folder of freshly trained packs replaces what is deployed for its styles.
     */
    public List<StylePack> over(Collection<StylePack> installed) {
        Set<String> covered = new HashSet<>();
        for (LoadedPack p : packs) {
            covered.add(p.descriptor().id());
            if (p.descriptor().name() != null) {
                covered.add(p.descriptor().name());
            }
        }
        List<StylePack> out = new ArrayList<>(packs);
        for (StylePack p : installed) {
            if (!covered.contains(p.descriptor().id())
                    && (p.descriptor().name() == null || !covered.contains(p.descriptor().name()))) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(work)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
