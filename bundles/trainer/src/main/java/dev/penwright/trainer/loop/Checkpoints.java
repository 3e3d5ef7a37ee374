package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.penwright.engine.training.TrainingAccess;

/**
 * A phase's checkpoint folder, for the training loop and C-DPO alike. A checkpoint ({@code step-N/}) holds the
 * trainable tensors, the optimiser's moments and a state.json the phase fills; it is written to a temporary folder
 * and renamed, and {@code latest} names the newest complete one, so a run killed mid-write resumes from the one
 * before. The newest {@code keep} are kept.
 */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int keep;

    public Checkpoints(Path dir, int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** The newest complete checkpoint, or null. */
    public Path latest() throws IOException {
        Path pointer = dir.resolve("latest");
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        Path latest = dir.resolve(Files.readString(pointer).strip());
        if (!Files.isRegularFile(latest.resolve("state.json"))) {
            throw new IOException(pointer + " names " + latest + ", which is not a complete checkpoint");
        }
        return latest;
    }

    /**
     * Writes {@code step-<step>}: {@code params}, the optimiser's moments and {@code state}, then points
     * {@code latest} at it and prunes the older ones. Returns the checkpoint's name.
     */
    public String save(int step, Map<String, NDArray> params, AdamW adam, ObjectNode state) throws IOException {
        String name = String.format("step-%08d", step);
        writeAtomically(dir.resolve(name), tmp -> {
            TrainingAccess.writeTensors(tmp.resolve("trainable.safetensors"), params, Map.of("format", "pt"));
            TrainingAccess.writeTensors(tmp.resolve("optimizer.safetensors"), adam.state(), Map.of("format", "pt"));
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("state.json").toFile(), state);
        });
        Path pointerTmp = dir.resolve("latest.tmp");
        Files.writeString(pointerTmp, name + "\n");
        try {
            Files.move(pointerTmp, dir.resolve("latest"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(pointerTmp, dir.resolve("latest"), StandardCopyOption.REPLACE_EXISTING);
        }
        prune(name);
        return name;
    }

    /** A checkpoint's state.json. */
    public JsonNode state(Path checkpoint) throws IOException {
        return JSON.readTree(checkpoint.resolve("state.json").toFile());
    }

    /** Puts a checkpoint's trainable tensors into {@code params} (in place) and its moments into {@code adam}. */
    public void restore(Path checkpoint, JsonNode state, Map<String, NDArray> params, AdamW adam, NDManager manager)
            throws IOException {
        copyInto(params, checkpoint.resolve("trainable.safetensors"), manager);
        adam.restore(TrainingAccess.readTensors(checkpoint.resolve("optimizer.safetensors"), manager),
                state.path("adamSteps").asLong());
    }

    /** What writes a folder's files. */
    @FunctionalInterface
    public interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    /** Writes {@code target} through a temporary sibling renamed over it: a reader never sees half of it. */
    public static void writeAtomically(Path target, FolderWriter writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        writer.write(tmp);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Overwrites the live parameters, in place, with the tensors of a safetensors file. */
    public static void copyInto(Map<String, NDArray> params, Path file, NDManager manager) throws IOException {
        try (NDManager tmp = manager.newSubManager()) {
            Map<String, NDArray> saved = TrainingAccess.readTensors(file, tmp);
            for (var e : params.entrySet()) {
                NDArray v = saved.get(e.getKey());
                if (v == null || !v.getShape().equals(e.getValue().getShape())) {
                    throw new IOException(file + ": trainable tensor " + e.getKey() + " is missing or has another shape");
                }
                // In place, so the model keeps reading the same arrays.
                NDArray w = e.getValue().stopGradient();
                w.subi(w).addi(v);
                w.close();
            }
        }
    }

    /** The losses as state.json keeps them: [step, loss, learning rate, tokens/s] a step. */
    public static ArrayNode steps(History history) {
        ArrayNode a = JSON.createArrayNode();
        for (History.StepPoint p : history.steps) {
            a.addArray().add(p.step()).add(p.loss()).add(p.learningRate()).add(p.tokensPerSecond());
        }
        return a;
    }

    /** Reads back what {@link #steps} wrote. */
    public static void readSteps(JsonNode steps, History into) {
        for (JsonNode p : steps) {
            into.steps.add(new History.StepPoint(p.get(0).asInt(), p.get(1).asDouble(), p.get(2).asDouble(),
                    p.get(3).asDouble()));
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Deletes all but the newest {@code keep} checkpoints, never {@code current}. */
    private void prune(String current) throws IOException {
        List<Path> old;
        try (Stream<Path> list = Files.list(dir)) {
            old = list.filter(p -> p.getFileName().toString().matches("step-\\d{8}")).sorted().toList();
        }
        for (int i = 0; i < old.size() - keep; i++) {
            if (!old.get(i).getFileName().toString().equals(current)) {
                deleteTree(old.get(i));
            }
        }
    }
}
