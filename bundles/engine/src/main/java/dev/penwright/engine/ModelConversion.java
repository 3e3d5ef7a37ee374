package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.penwright.engine.internal.Checkpoint;
import dev.penwright.engine.internal.Safetensors;

/**
 * Writes a copy of a model folder with its weights stored as F32, F16 or BF16 (one model.safetensors), the other
 * files (config.json, tokenizer.json, model card) copied. Computation stays F32 whatever the storage: this is how a
 * trained model is committed in compact form.
 */
public final class ModelConversion {
    private static final Map<String, String> TORCH_DTYPES = Map.of("F32", "float32", "F16", "float16", "BF16",
            "bfloat16");

    private ModelConversion() {
    }

    private static Safetensors open(Path file) {
        try {
            return Safetensors.open(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** @return the number of tensors written */
    public static int convert(Path source, Path target, String dtype) throws IOException {
        Safetensors.requireFloatType("dtype", dtype);
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("write the converted model to another folder than " + source);
        }
        ModelConfig.read(source.resolve("config.json"));
        Checkpoint checkpoint = Checkpoint.open(source);
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        Map<Path, Safetensors> weightFiles = new LinkedHashMap<>();
        for (String name : new java.util.TreeSet<>(checkpoint.names())) {
            Safetensors file = weightFiles.computeIfAbsent(checkpoint.fileOf(name), ModelConversion::open);
            out.put(name, new Safetensors.Entry(file.readF32Array(name), checkpoint.info(name).shape(), dtype));
        }
        Files.createDirectories(target);
        copyAllBut(source, target, name -> name.endsWith(".safetensors") || name.equals("model.safetensors.index.json"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(target.resolve("config.json").toFile());
        config.put("torch_dtype", TORCH_DTYPES.get(dtype));
        json.writerWithDefaultPrettyPrinter().writeValue(target.resolve("config.json").toFile(), config);
        Safetensors.write(target.resolve("model.safetensors"), out, Map.of("format", "pt"));
        return out.size();
    }

    /**
     * Writes a copy of a PEFT adapter folder (or a style pack's style/ folder) with adapter_model.safetensors stored as
     * {@code dtype}; the other files are copied. @return the number of tensors written
     */
    public static int convertAdapter(Path source, Path target, String dtype) throws IOException {
        Safetensors.requireFloatType("dtype", dtype);
        Path weights = source.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weights) || !Files.isRegularFile(source.resolve("adapter_config.json"))) {
            throw ModelFormatException.of(source, null, "not a PEFT adapter folder (adapter_config.json and "
                    + "adapter_model.safetensors expected)");
        }
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        Safetensors file = Safetensors.open(weights);
        for (Safetensors.TensorInfo t : file.tensors().values()) {
            out.put(t.name(), new Safetensors.Entry(file.readF32Array(t.name()), t.shape(), dtype));
        }
        Map<String, String> metadata = file.metadata().isEmpty() ? Map.of("format", "pt") : file.metadata();
        boolean inPlace = source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize());
        Files.createDirectories(target);
        if (!inPlace) {
            copyAllBut(source, target, name -> name.equals("adapter_model.safetensors"));
        }
        // All tensors are in memory now: writing over the source (same folder) is safe, through a temporary file.
        Path tmp = target.resolve("adapter_model.safetensors.tmp");
        Safetensors.write(tmp, out, metadata);
        Files.move(tmp, target.resolve("adapter_model.safetensors"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return out.size();
    }

    /** Copies the source folder's files, but the weight files the conversion writes itself, into the target. */
    private static void copyAllBut(Path source, Path target, java.util.function.Predicate<String> weights)
            throws IOException {
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!weights.test(name)) {
                    Files.copy(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
