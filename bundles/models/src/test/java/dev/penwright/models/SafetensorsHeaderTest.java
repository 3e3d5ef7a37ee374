package dev.penwright.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    /** A file of this header text followed by {@code dataBytes} zero bytes. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        bytes.write(json);
        bytes.write(new byte[dataBytes]);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void tensorsAndMetadataInFileOrder() throws IOException {
        // Names out of alphabetical and hash order, so that only an insertion-ordered map keeps them.
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"a\":\"1\"},"
                + "\"z.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b.weight\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
                + "\"m.weight\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[32,34]}}";
        Path file = file(header, 34);
        SafetensorsHeader h = SafetensorsHeader.read(file);
        assertEquals(List.of("z.weight", "b.weight", "m.weight"), List.copyOf(h.tensors().keySet()));
        assertEquals(List.of("format", "a"), List.copyOf(h.metadata().keySet()));
        assertEquals("pt", h.metadata().get("format"));
        assertEquals(header, h.json());
        assertEquals(8 + header.getBytes(StandardCharsets.UTF_8).length, h.dataStart());
        SafetensorsHeader.TensorEntry z = h.tensors().get("z.weight");
        assertEquals(List.of(2L, 3L), z.shape());
        assertArrayEquals(new long[] {2, 3}, z.dims());
        assertEquals(6, z.elements());
        assertEquals(24, h.tensors().get("b.weight").begin());
        assertEquals(1, h.tensors().get("m.weight").elements());
        assertThrows(UnsupportedOperationException.class, () -> h.tensors().clear());
    }

    @Test
    void corruptFilesNameTheFileTheTensorAndTheFault() throws IOException {
        SafetensorsHeader.FormatException e = assertThrows(SafetensorsHeader.FormatException.class,
                () -> SafetensorsHeader.read(dir.resolve("missing.safetensors")));
        assertTrue(e.getMessage().endsWith("missing.safetensors: no such file"), e.getMessage());

        Path shortFile = dir.resolve("short.safetensors");
        Files.write(shortFile, new byte[3]);
        e = assertThrows(SafetensorsHeader.FormatException.class, () -> SafetensorsHeader.read(shortFile));
        assertEquals(shortFile + ": corrupt safetensors header: file has 3 bytes, fewer than the 8-byte header length",
                e.getMessage());

        Path longHeader = dir.resolve("long.safetensors");
        Files.write(longHeader, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        e = assertThrows(SafetensorsHeader.FormatException.class, () -> SafetensorsHeader.read(longHeader));
        assertTrue(e.getMessage().contains("header length 1000 does not fit a file of 16 bytes"), e.getMessage());
        assertNull(e.tensor());

        e = assertThrows(SafetensorsHeader.FormatException.class, () -> SafetensorsHeader.read(file("{\"a\": [", 0)));
        assertTrue(e.problem().startsWith("corrupt safetensors header: not JSON ("), e.getMessage());
        e = assertThrows(SafetensorsHeader.FormatException.class, () -> SafetensorsHeader.read(file("[1]", 0)));
        assertEquals("corrupt safetensors header: not a JSON object", e.problem());

        String[][] tensorFaults = {
            {"{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", "entry needs dtype, shape and two data_offsets"},
            {"{\"w\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}", "unknown dtype Q4"},
            {"{\"w\":{\"dtype\":\"F32\",\"shape\":[4,-1],\"data_offsets\":[0,16]}}", "negative dimension in shape [4,-1]"},
            {"{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "data_offsets [0, 16] fall outside the 8 data bytes"},
            {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,4]}}", "F32 shape [1, 2] needs 8 bytes but data_offsets span 4"},
        };
        for (String[] fault : tensorFaults) {
            Path file = file(fault[0], 8);
            e = assertThrows(SafetensorsHeader.FormatException.class, () -> SafetensorsHeader.read(file));
            assertEquals("w", e.tensor());
            assertTrue(e.getMessage().startsWith(file + ": tensor 'w': "), e.getMessage());
            assertTrue(e.problem().endsWith(fault[1]), e.getMessage());
        }
    }
}
