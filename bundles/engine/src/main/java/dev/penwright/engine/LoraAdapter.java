package dev.penwright.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.internal.HalfOps;
import dev.penwright.engine.internal.LoraGroup;
import dev.penwright.engine.internal.Safetensors;

/**
 * A LoRA adapter in PEFT layout, bound to the base model it was loaded for. It is applied unmerged (so requests
 * with different adapters share one base model) or merged into a copy of the base with
 * {@link LanguageModel#merge(LoraAdapter)}.
 *
 * <p>For training, {@link #tensors()} gives the A and B matrices under their PEFT names; attach gradients to them,
 * call {@link #invalidate()} after every update, and {@link #save(Path)} writes the PEFT files.
 */
public final class LoraAdapter implements AutoCloseable {
    static final String PREFIX = "base_model.model.";
    private static final Pattern NAME = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.lora_([AB])(?:\\.default)?\\.weight");

    /** One adapted projection: A [r, in], B [out, r], and alpha/r (or alpha/sqrt(r)). */
    public record Module(int layer, String name, NDArray a, NDArray b, double scale) {
        public String pefName(char which) {
            return LoraAdapter.pefName(layer, name, which);
        }
    }

    /** A module's A or B tensor name in a PEFT adapter file. */
    static String pefName(int layer, String name, char which) {
        String block = name.endsWith("_proj") && (name.startsWith("gate") || name.startsWith("up") || name.startsWith("down"))
                ? "mlp" : "self_attn";
        return PREFIX + "model.layers." + layer + "." + block + "." + name + ".lora_" + which + ".weight";
    }

    private final String id;
    private final ModelConfig base;
    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, Module> modules;
    /** With {@link #halfRef}: the adapter is held in the half dtype of its model (a loaded, frozen adapter). */
    private final HalfOps half;
    private final NDArray halfRef;
    private NDArray[][] fusedA;
    private NDArray[][] fusedB;

    private LoraAdapter(String id, ModelConfig base, LoraConfig config, NDManager manager, Map<String, Module> modules,
                        HalfOps half, NDArray halfRef) {
        this.id = id;
        this.base = base;
        this.config = config;
        this.manager = manager;
        this.modules = modules;
        this.half = halfRef == null ? null : half;
        this.halfRef = this.half == null ? null : halfRef;
    }

    public String id() {
        return id;
    }

    public LoraConfig config() {
        return config;
    }

    public List<Module> modules() {
        return List.copyOf(modules.values());
    }

    /** Every A and B under its PEFT tensor name, in file order. */
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (Module mod : modules.values()) {
            m.put(mod.pefName('A'), mod.a());
            m.put(mod.pefName('B'), mod.b());
        }
        return Collections.unmodifiableMap(m);
    }

    static int[] dims(ModelConfig c, String module) {
        return switch (module) {
            case "q_proj" -> new int[] {c.hiddenSize(), c.queryWidth()};
            case "k_proj", "v_proj" -> new int[] {c.hiddenSize(), c.kvWidth()};
            case "o_proj" -> new int[] {c.queryWidth(), c.hiddenSize()};
            case "gate_proj", "up_proj" -> new int[] {c.hiddenSize(), c.intermediateSize()};
            case "down_proj" -> new int[] {c.intermediateSize(), c.hiddenSize()};
            default -> throw new IllegalArgumentException("unknown module " + module);
        };
    }

    private static String moduleName(int layer, String module) {
        return LoraConfig.moduleName(layer, module);
    }

    /**
     * Reads adapter_config.json and adapter_model.safetensors, checking every tensor against the base's shapes. As in
     * PEFT, only the modules the config targets are adapted: tensors of other modules in the file are not applied.
     * With {@code halfRef} (a weight of a model held in half precision) the adapter is held in that dtype, as the
     * model is: half the memory, and a PEFT adapter of a half model is stored so anyway.
     */
    static LoraAdapter load(Path dir, ModelConfig base, Path baseDir, NDManager parent, HalfOps half, NDArray halfRef)
            throws IOException {
        LoraConfig cfg = LoraConfig.read(dir.resolve("adapter_config.json"));
        cfg.checkTargets(base.numLayers(), dir.resolve("adapter_config.json"));
        Path file = dir.resolve("adapter_model.safetensors");
        Safetensors st = Safetensors.open(file);
        Map<String, String[]> found = new LinkedHashMap<>();
        for (String name : st.tensors().keySet()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw ModelFormatException.of(file, name, "not a PEFT LoRA tensor name of a llama-style decoder"
                        + " (expected base_model.model.model.layers.N.self_attn|mlp.MODULE.lora_A|lora_B.weight)");
            }
            int layer = Integer.parseInt(m.group(1));
            String module = m.group(3);
            if (!LoraConfig.MODULES.contains(module)) {
                throw ModelFormatException.of(file, name, "module '" + module + "' is not one of " + LoraConfig.MODULES);
            }
            if (layer >= base.numLayers()) {
                throw ModelFormatException.of(file, name, "layer " + layer + " does not exist: the base model at "
                        + baseDir + " has " + base.numLayers() + " layers (adapter made for another base model: "
                        + cfg.baseModelNameOrPath() + ")");
            }
            if (cfg.targets(moduleName(layer, module))) {
                found.computeIfAbsent(layer + "." + module, k -> new String[2])[m.group(4).equals("A") ? 0 : 1] = name;
            }
        }
        // Every targeted module must be present (PEFT would silently leave a missing one at its initialisation).
        for (int l = 0; l < base.numLayers(); l++) {
            for (String module : LoraConfig.MODULES) {
                if (!cfg.targets(moduleName(l, module))) {
                    continue;
                }
                String[] pair = found.get(l + "." + module);
                for (int i = 0; i < 2; i++) {
                    if (pair == null || pair[i] == null) {
                        throw ModelFormatException.of(file, PREFIX + moduleName(l, module) + ".lora_" + (i == 0 ? 'A' : 'B')
                                + ".weight", "missing tensor (adapter_config.json targets " + moduleName(l, module) + ")");
                    }
                }
            }
        }
        NDManager manager = parent.newSubManager();
        Map<String, Module> modules = new LinkedHashMap<>();
        // Direct buffers are freed only when the garbage collector runs: two read per tensor grew the process by about
        // three times the adapter's size (51 MB a rank-16 BF16 adapter of Qwen2.5-0.5B, 17 MB held). The file's
        // bytes always go through one reused buffer; so do the F32 values when they are rounded into a half copy
        // at once, while an F32 adapter's tensors own theirs.
        long largest = 0;
        for (String[] pair : found.values()) {
            for (String name : pair) {
                if (name != null) {
                    largest = Math.max(largest, st.tensors().get(name).elements());
                }
            }
        }
        ByteBuffer rawScratch = ByteBuffer.allocateDirect(Math.toIntExact(largest * 8));
        ByteBuffer f32Scratch = half != null && halfRef != null ? ByteBuffer.allocateDirect(Math.toIntExact(largest * 4)) : null;
        try {
            for (var e : found.entrySet()) {
                String[] pair = e.getValue();
                int dot = e.getKey().indexOf('.');
                int layer = Integer.parseInt(e.getKey().substring(0, dot));
                String module = e.getKey().substring(dot + 1);
                if (pair[0] == null || pair[1] == null) {
                    throw ModelFormatException.of(file, pair[0] == null ? pair[1].replace("lora_B", "lora_A") : pair[0].replace("lora_A", "lora_B"),
                            "missing tensor (its partner is present)");
                }
                int[] io = dims(base, module);
                int rank = cfg.rankOf(moduleName(layer, module));
                long[] aShape = st.tensors().get(pair[0]).shape();
                long[] bShape = st.tensors().get(pair[1]).shape();
                long[] wantA = {rank, io[0]};
                long[] wantB = {io[1], rank};
                if (!Arrays.equals(aShape, wantA) || !Arrays.equals(bShape, wantB)) {
                    String bad = !Arrays.equals(aShape, wantA) ? pair[0] : pair[1];
                    throw ModelFormatException.of(file, bad, "wrong shape " + Arrays.toString(st.tensors().get(bad).shape())
                            + ", expected " + Arrays.toString(bad == pair[0] ? wantA : wantB) + " for the base model at " + baseDir
                            + " (rank " + rank + " from adapter_config.json; an adapter made for another base model? it names '"
                            + cfg.baseModelNameOrPath() + "')");
                }
                NDArray a = held(manager.create(read(st, pair[0], rawScratch, f32Scratch), new Shape(wantA),
                        DataType.FLOAT32), half, halfRef);
                NDArray b = held(manager.create(read(st, pair[1], rawScratch, f32Scratch), new Shape(wantB),
                        DataType.FLOAT32), half, halfRef);
                modules.put(e.getKey(), new Module(layer, module, a, b, cfg.scaleOf(moduleName(layer, module))));
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new LoraAdapter(dir.getFileName().toString(), base, cfg, manager, modules, half, halfRef);
    }

    private static ByteBuffer read(Safetensors st, String name, ByteBuffer rawScratch, ByteBuffer f32Scratch)
            throws IOException {
        return st.readF32(name, 0, Math.toIntExact(st.tensors().get(name).elements()), rawScratch, f32Scratch);
    }

    /** {@code f32} as the adapter holds it: itself, or rounded to the dtype of {@code halfRef} (f32 then freed). */
    private static NDArray held(NDArray f32, HalfOps half, NDArray halfRef) {
        if (half == null || halfRef == null) {
            return f32;
        }
        NDArray h = half.like(f32, halfRef);
        NDScope.unregister(h);
        f32.close();
        return h;
    }

    /**
     * One of this adapter's arrays (its modules', {@link #fusedA}, {@link #fusedB}) as float32: itself, or a copy in
     * the caller's scope when the adapter is held in half precision.
     */
    public NDArray widened(NDArray x) {
        return half == null ? x : half.toF32(x);
    }

    /** Whether the adapter is held in its model's half dtype (see {@link #load}). */
    public boolean isHalf() {
        return half != null;
    }

    /**
     * A fresh adapter on every targeted module of every layer: A drawn as PEFT's default (Kaiming-uniform), B zero
     * (the identity adapter training starts from) or, when {@code zeroB} is false, small random values (for tests
     * and benchmarks that need an adapter that changes the output).
     */
    static LoraAdapter create(String id, ModelConfig base, LoraConfig cfg, long seed, boolean zeroB, NDManager parent) {
        NDManager manager = parent.newSubManager();
        Random rnd = new Random(seed);
        Map<String, Module> modules = new LinkedHashMap<>();
        forEachTarget(base, cfg, (layer, module, rank) -> {
            int[] io = dims(base, module);
            float[][] ab = draw(rnd, io[0], io[1], rank, zeroB);
            NDArray aa = manager.create(ab[0], new Shape(rank, io[0]));
            NDArray bb = manager.create(ab[1], new Shape(io[1], rank));
            NDScope.unregister(aa, bb);
            modules.put(layer + "." + module, new Module(layer, module, aa, bb, cfg.scaleOf(moduleName(layer, module))));
        });
        return new LoraAdapter(id, base, cfg, manager, modules, null, null);
    }

    /**
     * Writes, as PEFT does, the adapter {@link #create} makes with the same arguments, without making it: the values
     * stream from the seeded generator to the file a module at a time, so a benchmark that prepares adapters for
     * loading leaves neither native memory nor a grown heap behind (8 made, saved and closed left the process 95 MB
     * larger than loading them alone).
     */
    public static void writeRandom(Path dir, ModelConfig base, LoraConfig cfg, long seed, boolean zeroB, String dtype)
            throws IOException {
        Safetensors.requireFloatType("adapter dtype", dtype);
        Files.createDirectories(dir);
        cfg.write(dir.resolve("adapter_config.json"));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> dtypes = new LinkedHashMap<>();
        forEachTarget(base, cfg, (layer, module, rank) -> {
            int[] io = dims(base, module);
            shapes.put(pefName(layer, module, 'A'), new long[] {rank, io[0]});
            shapes.put(pefName(layer, module, 'B'), new long[] {io[1], rank});
            dtypes.put(pefName(layer, module, 'A'), dtype);
            dtypes.put(pefName(layer, module, 'B'), dtype);
        });
        Random rnd = new Random(seed);
        float[][] pendingB = new float[1][];
        // The file lists each module's A before its B, in the order create() draws them.
        Safetensors.write(dir.resolve("adapter_model.safetensors"), shapes, dtypes, Map.of("format", "pt"),
                (name, sink) -> {
                    if (name.contains(".lora_B.")) {
                        sink.accept(pendingB[0], pendingB[0].length);
                        return;
                    }
                    long[] a = shapes.get(name);
                    long[] b = shapes.get(name.replace(".lora_A.", ".lora_B."));
                    float[][] ab = draw(rnd, (int) a[1], (int) b[0], (int) a[0], zeroB);
                    pendingB[0] = ab[1];
                    sink.accept(ab[0], ab[0].length);
                });
    }

    private interface Target {
        void accept(int layer, String module, int rank);
    }

    private static void forEachTarget(ModelConfig base, LoraConfig cfg, Target sink) {
        for (int l = 0; l < base.numLayers(); l++) {
            for (String module : LoraConfig.MODULES) {
                if (cfg.targets(moduleName(l, module))) {
                    sink.accept(l, module, cfg.rankOf(moduleName(l, module)));
                }
            }
        }
    }

    /** A module's A [rank, in] (uniform, Kaiming's bound) and B [out, rank] (Gaussian, or zeros), drawn in turn. */
    private static float[][] draw(Random rnd, int in, int out, int rank, boolean zeroB) {
        float[] a = new float[rank * in];
        double bound = 1.0 / Math.sqrt(in);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[out * rank];
        if (!zeroB) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (rnd.nextGaussian() * 0.05);
            }
        }
        return new float[][] {a, b};
    }

    /** Writes adapter_config.json and adapter_model.safetensors (F32) as PEFT does. */
    public void save(Path dir) throws IOException {
        save(dir, "F32");
    }

    /**
     * Writes adapter_config.json and adapter_model.safetensors as PEFT does, the weights stored as {@code dtype}
     * (F32, F16 or BF16; they are read back as F32). Checkpoints stay F32; a shipped pack is F16, as PEFT saves an
     * adapter of a half-precision model.
     */
    public void save(Path dir, String dtype) throws IOException {
        Safetensors.requireFloatType("adapter dtype", dtype);
        Files.createDirectories(dir);
        config.write(dir.resolve("adapter_config.json"));
        Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            for (Module m : modules.values()) {
                entries.put(m.pefName('A'), new Safetensors.Entry(widened(m.a()).toFloatArray(), m.a().getShape().getShape(),
                        dtype));
                entries.put(m.pefName('B'), new Safetensors.Entry(widened(m.b()).toFloatArray(), m.b().getShape().getShape(),
                        dtype));
            }
        }
        Safetensors.write(dir.resolve("adapter_model.safetensors"), entries, Map.of("format", "pt"));
    }

    /** Forgets the fused projections, after A or B changed (a training step). */
    public synchronized void invalidate() {
        closeFused();
    }

    /**
     * The engine's fused view of a layer's group of projections ({@link LoraGroup} ordinal): A^T of every module,
     * concatenated ([in, R]); null when no module of the group is adapted in that layer. Built with NDArray
     * operations from A and B, so gradients flow through it.
     */
    public synchronized NDArray fusedA(int layer, int group) {
        fuse();
        return fusedA[layer][group];
    }

    /** The matching [R, out]: each module's scale·B^T placed at its rank rows and output columns. */
    public synchronized NDArray fusedB(int layer, int group) {
        fuse();
        return fusedB[layer][group];
    }

    private void fuse() {
        if (fusedA != null) {
            return;
        }
        int layers = base.numLayers();
        NDArray[][] fa = new NDArray[layers][LoraGroup.COUNT];
        NDArray[][] fb = new NDArray[layers][LoraGroup.COUNT];
        // The scaled B^T, the zero blocks and the partial rows are freed once fused: built outside any caller's scope
        // (a batch's adapters are fused before its step opens one), they stayed until the adapter closed, about
        // 1.4 times its own size again (76 MB for a rank-16 adapter on every projection of Qwen2.5-0.5B). Closing
        // them is safe under autograd: libtorch's graph holds its own references to what backward reads.
        try (NDScope scope = new NDScope()) {
            fuseInto(fa, fb);
        }
        fusedA = fa;
        fusedB = fb;
    }

    private void fuseInto(NDArray[][] fa, NDArray[][] fb) {
        for (int l = 0; l < fa.length; l++) {
            for (LoraGroup g : LoraGroup.values()) {
                List<String> names = g.modules();
                int total = 0;
                for (String n : names) {
                    total += dims(base, n)[1];
                }
                List<NDArray> as = new ArrayList<>();
                List<NDArray> bs = new ArrayList<>();
                int col = 0;
                for (String n : names) {
                    int out = dims(base, n)[1];
                    Module m = modules.get(l + "." + n);
                    if (m != null) {
                        as.add(m.a().transpose());
                        // A 0-d array torch owns, not mul(float): DJL closes its Number scalar at once and the backward
                        // of this product reads it (freed memory under GC during training).
                        NDArray bt = m.b().transpose().mul(manager.full(new Shape(), (float) m.scale()));
                        long rank = bt.getShape().get(0);
                        List<NDArray> row = new ArrayList<>();
                        if (col > 0) {
                            row.add(zeros(new Shape(rank, col)));
                        }
                        row.add(bt);
                        if (col + out < total) {
                            row.add(zeros(new Shape(rank, total - col - out)));
                        }
                        bs.add(row.size() == 1 ? bt : NDArrays.concat(new NDList(row.toArray(NDArray[]::new)), 1));
                    }
                    col += out;
                }
                if (!as.isEmpty()) {
                    fa[l][g.ordinal()] = as.size() == 1 ? as.get(0) : NDArrays.concat(new NDList(as.toArray(NDArray[]::new)), 1);
                    fb[l][g.ordinal()] = bs.size() == 1 ? bs.get(0) : NDArrays.concat(new NDList(bs.toArray(NDArray[]::new)), 0);
                    NDScope.unregister(fa[l][g.ordinal()], fb[l][g.ordinal()]);
                }
            }
        }
    }

    /** Zeros in the dtype the adapter is held in (a float32 block would widen a half-precision concatenation). */
    private NDArray zeros(Shape shape) {
        NDArray z = manager.zeros(shape);
        return half == null ? z : half.like(z, halfRef);
    }

    private void closeFused() {
        if (fusedA == null) {
            return;
        }
        for (NDArray[] row : fusedA) {
            for (NDArray a : row) {
                if (a != null) {
                    a.close();
                }
            }
        }
        for (NDArray[] row : fusedB) {
            for (NDArray b : row) {
                if (b != null) {
                    b.close();
                }
            }
        }
        fusedA = null;
        fusedB = null;
    }

    @Override
    public synchronized void close() {
        closeFused();
        manager.close();
    }
}
