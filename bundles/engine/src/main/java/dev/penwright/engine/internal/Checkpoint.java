package dev.penwright.engine.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelFormatException;

/**
 * The tensors of a checkpoint folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Loads by name with the shape checked, so a bad file fails with its name and
 * the tensor's.
 */
public final class Checkpoint {
    private final Path directory;
    private final Map<String, Safetensors> byTensor;
    /** Reused by every {@link #loadHalf} slice (see Safetensors#readF32 with buffers). */
    private ByteBuffer rawScratch;
    private ByteBuffer f32Scratch;

    private Checkpoint(Path directory, Map<String, Safetensors> byTensor) {
        this.directory = directory;
        this.byTensor = byTensor;
    }

    public static Checkpoint open(Path directory) throws IOException {
        Path index = directory.resolve("model.safetensors.index.json");
        Map<String, Safetensors> byTensor = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map;
            try {
                map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
            } catch (IOException e) {
                throw ModelFormatException.of(index, null, "not valid JSON: " + e.getMessage());
            }
            if (map == null || !map.isObject()) {
                throw ModelFormatException.of(index, null, "has no weight_map object");
            }
            Map<String, Safetensors> shards = new HashMap<>();
            var it = map.fields();
            while (it.hasNext()) {
                var e = it.next();
                String shardName = e.getValue().asText();
                Safetensors shard = shards.get(shardName);
                if (shard == null) {
                    shard = Safetensors.open(directory.resolve(shardName));
                    shards.put(shardName, shard);
                }
                if (!shard.tensors().containsKey(e.getKey())) {
                    throw ModelFormatException.of(shard.file(), e.getKey(), "missing tensor (listed in " + index.getFileName() + ")");
                }
                byTensor.put(e.getKey(), shard);
            }
        } else {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(directory)) {
                s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw ModelFormatException.of(directory, null, "cannot list the folder: " + e.getMessage());
            }
            if (files.isEmpty()) {
                throw ModelFormatException.of(directory, null, "no model.safetensors and no model.safetensors.index.json");
            }
            for (Path f : files) {
                Safetensors st = Safetensors.open(f);
                st.tensors().keySet().forEach(n -> byTensor.put(n, st));
            }
        }
        return new Checkpoint(directory, byTensor);
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public java.util.Set<String> names() {
        return byTensor.keySet();
    }

    public Safetensors.TensorInfo info(String name) {
        Safetensors st = byTensor.get(name);
        return st == null ? null : st.tensors().get(name);
    }

    /** Where a tensor lives, or the folder's main file when it is absent (for error messages). */
    public Path fileOf(String name) {
        Safetensors st = byTensor.get(name);
        if (st != null) {
            return st.file();
        }
        Path index = directory.resolve("model.safetensors.index.json");
        return Files.isRegularFile(index) ? index : directory.resolve("model.safetensors");
    }

    public NDArray load(NDManager manager, String name, long... expectedShape) throws IOException {
        Safetensors st = byTensor.get(name);
        if (st == null) {
            throw ModelFormatException.of(fileOf(name), name, "missing tensor");
        }
        Safetensors.TensorInfo info = st.tensors().get(name);
        if (!Arrays.equals(info.shape(), expectedShape)) {
            throw ModelFormatException.of(st.file(), name, "wrong shape " + Arrays.toString(info.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        ByteBuffer data = st.readF32(name);
        return manager.create(data, new Shape(expectedShape), DataType.FLOAT32);
    }

    /** The dtype a tensor is stored in (F32, F16, BF16, …), or null when the checkpoint lacks it. */
    public String dtypeOf(String name) {
        Safetensors.TensorInfo info = info(name);
        return info == null ? null : info.dtype();
    }

    /**
     * Matrices stacked by rows into one tensor held in {@code dtype} (a {@link HalfOps} ScalarType), each checked
     * against its shape ({@code rows[i]} × {@code cols}). Read in slices of about 4 MB as F32 and rounded into place
     * by PyTorch, so loading never holds more than a slice beyond the half-precision result.
     */
    public NDArray loadHalf(NDManager manager, HalfOps half, int dtype, long cols, String[] names, long[] rows)
            throws IOException {
        long total = 0;
        for (int i = 0; i < names.length; i++) {
            Safetensors st = byTensor.get(names[i]);
            if (st == null) {
                throw ModelFormatException.of(fileOf(names[i]), names[i], "missing tensor");
            }
            long[] want = rows[i] == 1 && st.tensors().get(names[i]).shape().length == 1 ? new long[] {cols}
                    : new long[] {rows[i], cols};
            if (!Arrays.equals(st.tensors().get(names[i]).shape(), want)) {
                throw ModelFormatException.of(st.file(), names[i], "wrong shape " + Arrays.toString(st.tensors().get(names[i]).shape())
                        + ", expected " + Arrays.toString(want));
            }
            total += rows[i];
        }
        NDArray out = half.empty(new long[] {total, cols}, dtype);
        try {
            long at = 0;
            long slice = Math.max(1, (1L << 20) / cols);
            int elements = (int) (slice * cols);
            if (rawScratch == null || f32Scratch.capacity() < elements * 4) {
                rawScratch = ByteBuffer.allocateDirect(elements * 8);
                f32Scratch = ByteBuffer.allocateDirect(elements * 4);
            }
            ByteBuffer raw = rawScratch;
            ByteBuffer f32 = f32Scratch;
            for (int i = 0; i < names.length; i++) {
                Safetensors st = byTensor.get(names[i]);
                for (long r = 0; r < rows[i]; r += slice) {
                    int n = (int) Math.min(slice, rows[i] - r);
                    try (NDArray part = manager.create(st.readF32(names[i], r * cols, (int) (n * cols), raw, f32),
                            new Shape(n, cols), DataType.FLOAT32)) {
                        half.fillRows(out, at + r, part);
                    }
                }
                at += rows[i];
            }
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }
}
