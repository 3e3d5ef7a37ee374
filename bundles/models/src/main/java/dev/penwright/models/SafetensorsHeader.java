package dev.penwright.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON header of a safetensors file, checked without reading the tensors: an 8-byte little-endian length, then
 * {@code {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}}. Used to validate files before a model
 * or adapter is loaded, and to fingerprint a model cheaply.
 *
 * @param json    the header text as stored
 * @param tensors tensor name to its entry, in file order
 */
public record SafetensorsHeader(String json, Map<String, TensorEntry> tensors) {
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor's dtype, shape and byte range within the data section. */
    public record TensorEntry(String dtype, List<Long> shape, long begin, long end) {
        public long elements() {
            return shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        }
    }

    /** Reads and checks the header of {@code file}; the message of the exception names the file and what is wrong. */
    public static SafetensorsHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (" + size + " bytes, no header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long length = lengthBytes.flip().getLong();
            if (length <= 0 || length > MAX_HEADER || 8 + length > size) {
                throw new IOException(file + ": corrupt safetensors header (declared header length " + length
                        + " for a file of " + size + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) length);
            readFully(channel, headerBytes, 8);
            String json = new String(headerBytes.array(), StandardCharsets.UTF_8);
            return new SafetensorsHeader(json, parse(file, json, size - 8 - length));
        }
    }

    private static Map<String, TensorEntry> parse(Path file, String json, long dataSize) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": corrupt safetensors header (not JSON: " + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": corrupt safetensors header (not a JSON object)");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode entry = field.getValue();
            JsonNode offsets = entry.path("data_offsets");
            if (!entry.path("dtype").isTextual() || !entry.path("shape").isArray() || offsets.size() != 2) {
                throw new IOException(file + ": corrupt safetensors header (tensor " + field.getKey()
                        + " lacks dtype, shape or data_offsets)");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new IOException(file + ": corrupt safetensors header (tensor " + field.getKey()
                        + " has offsets [" + begin + ", " + end + ") outside the " + dataSize + " data bytes)");
            }
            List<Long> shape = new java.util.ArrayList<>();
            entry.get("shape").forEach(dim -> shape.add(dim.asLong()));
            tensors.put(field.getKey(), new TensorEntry(entry.get("dtype").asText(), List.copyOf(shape), begin, end));
        }
        return Map.copyOf(tensors);
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
