package dev.penwright.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.model.BaseModelInfo;

/** Reads a Hugging Face model folder far enough to list and fingerprint it. */
public final class ModelFolder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFolder() {
    }

    /** Whether {@code dir} looks like a model: it has a config.json. */
    public static boolean isModel(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    /**
     * The model in {@code dir}, named {@code id}. The fingerprint is a SHA-256 of config.json, tokenizer.json and
     * every safetensors header (tensor names, dtypes, shapes, offsets), in file-name order: it changes when the
     * architecture, vocabulary or weights layout changes, and costs no reading of the weights themselves.
     */
    public static BaseModelInfo read(String id, Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new IOException(config + ": not valid JSON: " + e.getMessage(), e);
        }
        String architecture = root.path("model_type").asText("");
        if (architecture.isEmpty()) {
            throw new IOException(config + ": no model_type");
        }
        MessageDigest digest = sha256();
        digest.update(Files.readAllBytes(config));
        Path tokenizer = dir.resolve("tokenizer.json");
        if (Files.exists(tokenizer)) {
            digest.update(Files.readAllBytes(tokenizer));
        }
        long parameters = 0;
        for (Path weights : safetensors(dir)) {
            SafetensorsHeader header = SafetensorsHeader.read(weights);
            digest.update(header.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            parameters += header.tensors().values().stream().mapToLong(SafetensorsHeader.TensorEntry::elements).sum();
        }
        return new BaseModelInfo(id, dir, architecture, HexFormat.of().formatHex(digest.digest()), parameters);
    }

    /**
     * The name and shape of every weight of the model in {@code dir}, read from the safetensors headers (all shards),
     * without reading the weights: what an adapter is checked against.
     */
    public static java.util.Map<String, List<Long>> tensorShapes(Path dir) throws IOException {
        java.util.Map<String, List<Long>> shapes = new java.util.HashMap<>();
        for (Path weights : safetensors(dir)) {
            SafetensorsHeader.read(weights).tensors().forEach((name, entry) -> shapes.put(name, entry.shape()));
        }
        return shapes;
    }

    private static List<Path> safetensors(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
