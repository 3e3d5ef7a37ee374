package dev.penwright.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The header of a {@code .safetensors} file, read and checked without reading the tensors: an 8-byte little-endian
 * length, then {@code {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}}, then the data. The one
 * reader of the format's header: the model catalog fingerprints with it, the style-pack validator checks adapters
 * with it, and the engine finds the tensors it loads with it.
 *
 * @param json      the header text as stored (padding included)
 * @param dataStart where the data section begins in the file: 8 + the header's length
 * @param tensors   tensor name to its entry, in file order (unmodifiable)
 * @param metadata  the {@code __metadata__} strings, in file order (unmodifiable; empty when there are none)
 */
public record SafetensorsHeader(String json, long dataStart, Map<String, TensorEntry> tensors,
                                Map<String, String> metadata) {
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tensor's dtype, shape and byte range; {@code begin} and {@code end} are relative to the data section
     * ({@link SafetensorsHeader#dataStart()}), as the file stores them.
     */
    public record TensorEntry(String dtype, List<Long> shape, long begin, long end) {
        public long elements() {
            return shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        }

        /** The shape as an array. */
        public long[] dims() {
            return shape.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /**
     * A file whose header cannot be used. The message is {@code <file>[: tensor '<name>']: <problem>}, so that it names
     * the file and, where one is at fault, the tensor.
     */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path file;
        private final String tensor;
        private final String problem;

        FormatException(Path file, String tensor, String problem, Throwable cause) {
            super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem, cause);
            this.file = file;
            this.tensor = tensor;
            this.problem = problem;
        }

        public Path file() {
            return file;
        }

        /** The tensor at fault, or null when the fault is the file's. */
        public String tensor() {
            return tensor;
        }

        /** What is wrong, without the file and tensor. */
        public String problem() {
            return problem;
        }
    }

    /**
     * Bytes per element of a safetensors dtype, or -1 for a dtype the format does not define.
     */
    public static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "F8_E4M3", "F8_E5M2", "I8", "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    /**
     * Reads and checks the header of {@code file}: the length fits the file (and 100 MB), the header is a JSON
     * object, each tensor has a known dtype, a shape of non-negative dimensions and data_offsets within the data
     * section that span exactly the bytes its shape needs.
     *
     * @throws FormatException when the file is missing or its header is not a valid safetensors header
     * @throws IOException     when the file cannot be read
     */
    public static SafetensorsHeader read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FormatException(file, null, "no such file", null);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw corrupt(file, null, "file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long length = lengthBytes.flip().getLong();
            if (length <= 0 || length > MAX_HEADER || 8 + length > size) {
                throw corrupt(file, null, "header length " + length + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) length);
            readFully(channel, headerBytes, 8);
            String json = new String(headerBytes.array(), StandardCharsets.UTF_8);
            return parse(file, json, 8 + length, size - 8 - length);
        }
    }

    private static SafetensorsHeader parse(Path file, String json, long dataStart, long dataSize) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, null, "corrupt safetensors header: not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, null, "not a JSON object");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
            } else {
                tensors.put(field.getKey(), entry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        return new SafetensorsHeader(json, dataStart, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorEntry entry(Path file, String name, JsonNode entry, long dataSize) throws FormatException {
        JsonNode dtype = entry.path("dtype");
        JsonNode shape = entry.path("shape");
        JsonNode offsets = entry.path("data_offsets");
        if (!dtype.isTextual() || !shape.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw corrupt(file, name, "entry needs dtype, shape and two data_offsets");
        }
        int width = bytesPerElement(dtype.asText());
        if (width < 0) {
            throw new FormatException(file, name, "unknown dtype " + dtype.asText(), null);
        }
        List<Long> dims = new ArrayList<>(shape.size());
        long elements = 1;
        for (JsonNode dim : shape) {
            long d = dim.asLong(-1);
            if (d < 0) {
                throw corrupt(file, name, "negative dimension in shape " + shape);
            }
            dims.add(d);
            elements *= d;
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, name, "data_offsets [" + begin + ", " + end + "] fall outside the " + dataSize
                    + " data bytes");
        }
        if (end - begin != elements * width) {
            throw corrupt(file, name, dtype.asText() + " shape " + dims + " needs " + elements * width
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorEntry(dtype.asText(), List.copyOf(dims), begin, end);
    }

    private static FormatException corrupt(Path file, String tensor, String problem) {
        return new FormatException(file, tensor, "corrupt safetensors header: " + problem, null);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
            at += read;
        }
    }
}
