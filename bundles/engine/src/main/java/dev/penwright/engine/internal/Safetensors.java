package dev.penwright.engine.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.engine.ModelFormatException;
import dev.penwright.models.SafetensorsHeader;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw data. The header is read by the models bundle's {@link SafetensorsHeader} (the
 * one reader of it); the data is read here, rather than with DJL's NDList.decode, because DJL loses the tensor
 * order, is limited to 2 GB a file and aborts the JVM on BF16; every tensor leaves here as F32
 * (half-precision weights are then rounded back by PyTorch, see {@link HalfOps}).
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the header says of one tensor; offsets are absolute within the file. */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path file;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private Safetensors(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public Path file() {
        return file;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The types tensors can be written as (and read back as F32). */
    public static final List<String> FLOAT_TYPES = List.of("F32", "F16", "BF16");

    /**
     * Checks that tensors can be written as this type: one of {@link #FLOAT_TYPES}.
     *
     * @param what what the type is for, at the start of the message (e.g. "adapter dtype")
     */
    public static void requireFloatType(String what, String dtype) {
        if (!FLOAT_TYPES.contains(dtype)) {
            throw new IllegalArgumentException(what + " " + dtype + " is not one of " + FLOAT_TYPES);
        }
    }

    /** Bytes per element of a safetensors dtype, or -1 for one the format does not define. */
    public static int bytesPerElement(String dtype) {
        return SafetensorsHeader.bytesPerElement(dtype);
    }

    /**
     * Reads and checks the header (with the one header reader, {@link SafetensorsHeader}); the data stays on disk
     * until a tensor is asked for.
     *
     * @throws ModelFormatException when the file is missing or its header is corrupt, naming the file and tensor
     */
    public static Safetensors open(Path file) throws IOException {
        SafetensorsHeader header;
        try {
            header = SafetensorsHeader.read(file);
        } catch (SafetensorsHeader.FormatException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
        long dataStart = header.dataStart();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        header.tensors().forEach((name, t) -> tensors.put(name,
                new TensorInfo(name, t.dtype(), t.dims(), dataStart + t.begin(), dataStart + t.end())));
        return new Safetensors(file, Collections.unmodifiableMap(tensors), header.metadata());
    }

    /** The tensor's values as F32 in a direct, native-order buffer (what DJL copies from without another pass). */
    public ByteBuffer readF32(String name) throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw ModelFormatException.of(file, name, "missing tensor");
        }
        if (info.elements() * 4 > Integer.MAX_VALUE) {
            throw ModelFormatException.of(file, name, "tensor larger than 2 GB as F32 is not supported");
        }
        return readF32(name, 0, (int) info.elements());
    }

    /**
     * {@code count} values from element {@code first} on, as F32: a large tensor is read a slice at a time, so that
     * loading it into half precision never holds all of it as F32.
     */
    public ByteBuffer readF32(String name, long first, int count) throws IOException {
        return readF32(name, first, count, null, null);
    }

    /**
     * As {@link #readF32(String, long, int)}, into the caller's buffers when given (at least count × 8 and count × 4
     * bytes): direct buffers are freed only when the garbage collector runs, so a loader that reads a large model a
     * slice at a time reuses two instead of leaving gigabytes of them behind.
     */
    public ByteBuffer readF32(String name, long first, int count, ByteBuffer rawScratch, ByteBuffer outScratch)
            throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw ModelFormatException.of(file, name, "missing tensor");
        }
        int width = bytesPerElement(info.dtype);
        if (first < 0 || count < 0 || first + count > info.elements()) {
            throw new IllegalArgumentException(name + ": elements [" + first + ", " + (first + count) + ") of " + info.elements());
        }
        ByteBuffer raw = rawScratch == null ? ByteBuffer.allocateDirect(count * width) : rawScratch.clear().limit(count * width);
        raw.order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            readFully(ch, raw, info.begin + first * width);
        }
        raw.flip();
        long n = count;
        ByteBuffer out = (outScratch == null ? ByteBuffer.allocateDirect((int) (n * 4)) : outScratch.clear().limit(count * 4))
                .order(ByteOrder.nativeOrder());
        switch (info.dtype) {
            case "F32" -> {
                for (long i = 0; i < n; i++) {
                    out.putFloat(raw.getFloat());
                }
            }
            case "F16" -> {
                for (long i = 0; i < n; i++) {
                    out.putFloat(HalfFloats.f16ToF32(raw.getShort()));
                }
            }
            // BF16 is the top half of an F32: widening is exact.
            case "BF16" -> {
                for (long i = 0; i < n; i++) {
                    out.putFloat(Float.intBitsToFloat((raw.getShort() & 0xffff) << 16));
                }
            }
            case "F64" -> {
                for (long i = 0; i < n; i++) {
                    out.putFloat((float) raw.getDouble());
                }
            }
            default -> throw ModelFormatException.of(file, name, "dtype " + info.dtype + " is not a floating-point weight");
        }
        return out.flip();
    }

    public float[] readF32Array(String name) throws IOException {
        ByteBuffer b = readF32(name);
        float[] a = new float[b.remaining() / 4];
        b.asFloatBuffer().get(a);
        return a;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    /** A tensor to write: values in row-major order, and the dtype to store them as (F32, F16 or BF16). */
    public record Entry(float[] values, long[] shape, String dtype) {
        public Entry(float[] values, long... shape) {
            this(values, shape, "F32");
        }

        public Entry reshaped(long... newShape) {
            return new Entry(values, newShape, dtype);
        }
    }

    /** Writes tensors in the order given, with optional string metadata (PEFT writes {"format": "pt"}). */
    public static void write(Path file, Map<String, Entry> entries, Map<String, String> metadata) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> dtypes = new LinkedHashMap<>();
        entries.forEach((name, t) -> {
            long n = 1;
            for (long d : t.shape()) {
                n *= d;
            }
            if (n != t.values().length) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(t.shape())
                        + " does not hold " + t.values().length + " values");
            }
            shapes.put(name, t.shape());
            dtypes.put(name, t.dtype());
        });
        write(file, shapes, dtypes, metadata, (name, sink) -> sink.accept(entries.get(name).values(), entries.get(name).values().length));
    }

    /** Produces a tensor's values, in row-major order, in as many pieces as it likes. */
    public interface ValueSource {
        void fill(String name, ValueSink sink) throws IOException;
    }

    /** Takes the first {@code count} values of {@code values}. */
    public interface ValueSink {
        void accept(float[] values, int count) throws IOException;
    }

    /**
     * Writes tensors of these shapes and dtypes (in this order) whose values {@code source} streams, so that a file
     * larger than memory can be written a piece at a time (random checkpoints of real model shapes).
     */
    public static void write(Path file, Map<String, long[]> shapes, Map<String, String> dtypes, Map<String, String> metadata,
                             ValueSource source) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            String dtype = dtypes.get(e.getKey());
            ObjectNode o = header.putObject(e.getKey());
            o.put("dtype", dtype);
            var s = o.putArray("shape");
            for (long d : e.getValue()) {
                s.add(d);
            }
            var off = o.putArray("data_offsets");
            off.add(offset);
            offset += n * bytesPerElement(dtype);
            off.add(offset);
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int pad = (int) ((8 - (headerBytes.length % 8)) % 8);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length + pad);
            out.write(len.array());
            out.write(headerBytes);
            for (int i = 0; i < pad; i++) {
                out.write(' ');
            }
            for (String name : shapes.keySet()) {
                String dtype = dtypes.get(name);
                int width = bytesPerElement(dtype);
                source.fill(name, (values, count) -> {
                    ByteBuffer buf = ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < count; i++) {
                        float v = values[i];
                        switch (dtype) {
                            case "F32" -> buf.putFloat(v);
                            case "F16" -> buf.putShort(HalfFloats.f32ToF16(v));
                            case "BF16" -> buf.putShort(HalfFloats.f32ToBf16(v));
                            default -> throw new IllegalArgumentException("cannot write dtype " + dtype);
                        }
                    }
                    out.write(buf.array());
                });
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
