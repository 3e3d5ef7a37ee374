package dev.penwright.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;

/**
 * The paths a training request names, held to the server's roots: corpora (and preference files) only under the
 * configured corpus roots, output only under the runtime's work folder, base models only from the model catalog (or
 * a model trained into the work folder). Each path is normalised and its symlinks resolved (for a path that does not
 * exist yet, those of its nearest existing ancestor) before it is compared, so neither {@code ..} nor a link leaves
 * a root. A refusal names the rule, never the path or what is at it, so no answer tells a client whether a file
 * outside exists.
 */
final class TrainingPaths {
    static final String CORPUS_RULE = "must name a file under the configured corpus roots (corpusRoots in etc/"
            + ServerConfig.PID + ".cfg; by default corpora/ and uploads/ in the runtime's home)";
    static final String OUTPUT_RULE = "must name a folder under the runtime's work folder (work/ in its home)";
    static final String MODEL_RULE = "must be the id of an installed base model (GET /v1/models) or a model folder"
            + " under the runtime's work folder";

    private final ServerSettings.TrainingRoots roots;
    private final ModelCatalog models;

    TrainingPaths(ServerSettings.TrainingRoots roots, ModelCatalog models) {
        this.roots = roots;
        this.models = models;
    }

    /** A corpus file (relative names are taken in the first corpus root). */
    Path corpus(String field, String given) {
        Path path = parse(field, given, CORPUS_RULE);
        Path absolute = (path.isAbsolute() ? path : roots.corpusRoots().get(0).resolve(path)).normalize();
        Path real = resolved(absolute);
        boolean inside = roots.corpusRoots().stream().map(TrainingPaths::resolved).anyMatch(real::startsWith);
        if (!inside || !Files.isRegularFile(real)) {
            throw ApiError.badRequest("\"" + field + "\" " + CORPUS_RULE);
        }
        return real;
    }

    /** The output folder; by default {@code work/train/<id>}. Nothing is created here. */
    Path output(String given, String id) {
        Path work = resolved(roots.workDir());
        if (given == null) {
            return work.resolve("train").resolve(id);
        }
        Path path = parse("outputDir", given, OUTPUT_RULE);
        Path real = resolved((path.isAbsolute() ? path : work.resolve(path)).normalize());
        if (!real.startsWith(work) || real.equals(work)) {
            throw ApiError.badRequest("\"outputDir\" " + OUTPUT_RULE);
        }
        return real;
    }

    /** A base model: an installed model's id, its folder, or a model folder under the work folder. */
    Path model(String field, String given) {
        Optional<BaseModelInfo> byId = models.find(given);
        if (byId.isPresent()) {
            return byId.get().directory();
        }
        Path path = parse(field, given, MODEL_RULE);
        if (!path.isAbsolute()) {
            throw ApiError.badRequest("\"" + field + "\" " + MODEL_RULE);
        }
        Path real = resolved(path.normalize());
        boolean installed = models.models().stream().map(m -> resolved(m.directory())).anyMatch(real::equals);
        Path work = resolved(roots.workDir());
        if (!installed && !(real.startsWith(work) && Files.isDirectory(real))) {
            throw ApiError.badRequest("\"" + field + "\" " + MODEL_RULE);
        }
        return real;
    }

    List<Path> corpora(String field, String commaSeparated) {
        return List.of(commaSeparated.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> corpus(field, s)).toList();
    }

    private static Path parse(String field, String given, String rule) {
        try {
            if (given.isBlank() || given.indexOf('\0') >= 0) {
                throw ApiError.badRequest("\"" + field + "\" " + rule);
            }
            return Path.of(given);
        } catch (InvalidPathException e) {
            throw ApiError.badRequest("\"" + field + "\" " + rule);
        }
    }

    /**
     * The path with every symlink resolved: its real path when it exists, else its nearest existing ancestor's real
     * path with the rest appended (a folder still to be created cannot be a link yet).
     */
    static Path resolved(Path absolute) {
        Path existing = absolute.toAbsolutePath().normalize();
        Path rest = existing.getRoot().relativize(existing.getRoot());
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute.toAbsolutePath().normalize();
        }
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            // Unreadable: compare the lexical path, which is what would be opened.
            return absolute.toAbsolutePath().normalize();
        }
    }
}
