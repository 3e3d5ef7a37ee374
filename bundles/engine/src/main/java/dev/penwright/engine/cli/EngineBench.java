package dev.penwright.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;

/**
 * The engine benchmark: decode tokens/s at batch 1 and 8 (and 8 rows with 8 different adapters), prefill tokens/s and
 * peak RSS, by default beside the PyTorch eager decoder on the same checkpoint ({@link TorchComparison}); with the
 * yardstick, beside the plain DJL decoder, with the fraction of the CPU's peak FLOP/s that decoding reaches.
 */
public final class EngineBench {
    /** The stated shape of the random model used without --model: d=512, 8 layers, 8 heads, 8k vocabulary. */
    public static final ModelConfig DEFAULT_SHAPE = BenchShapes.D512_L8;

    private static final List<String> TOKENIZER_TEXTS = List.of(
            "The engine benchmark decodes random tokens from a random model; the tokenizer only names their bytes.",
            "A daemon is a program that runs in the background, first named at MIT in 1963.",
            "nginx is a small, powerful, scalable web and proxy server that supports HTTP/2 and TLS 1.3.");

    private final int decodeTokens;
    private final boolean speculativeOnly;
    private final int promptTokens;
    private final int adapterRank;
    private final ModelConfig shape;
    private final String dtype;
    private final boolean engineOnly;
    private final Comparison comparison;

    /**
     * How the default run compares the engine with PyTorch.
     *
     * @param python     the Python to try first (--python), or null
     * @param threads    intra-op threads of both (0: each keeps its default)
     * @param rounds     interleaved rounds (medians are reported, and every round)
     * @param yardstick  instead of PyTorch, the plain DJL decoder (cli/PlainDecoder) in the same process, with the
     *                   speculative and FLOP-fraction rows (the default before PyTorch was compared)
     * @param torchDtype PyTorch's weights: auto, stored or F32 (see TorchComparison.torchDtype)
     * @param progress   where a line a phase goes (stderr), or null
     */
    public record Comparison(String python, int threads, int rounds, boolean yardstick, String torchDtype,
                             java.io.PrintWriter progress) {
        public static Comparison defaults() {
            return new Comparison(null, 0, 3, false, "auto", null);
        }
    }

    public EngineBench(int decodeTokens, int promptTokens, int adapterRank) {
        this(decodeTokens, promptTokens, adapterRank, false);
    }

    /** @param speculativeOnly measure only speculative decoding against one-token steps (a shorter run) */
    public EngineBench(int decodeTokens, int promptTokens, int adapterRank, boolean speculativeOnly) {
        this(decodeTokens, promptTokens, adapterRank, speculativeOnly, "d512-l8", "F32", false);
    }

    /**
     * @param shape       the named shape of the random checkpoint used without a model folder (d512-l8, qwen2.5-0.5b)
     * @param dtype       the dtype its weights are stored in (F32, F16, BF16)
     * @param engineOnly  measure only the engine's decode (batch 1 and 8), prefill and peak RSS: no yardstick (it
     *                    would hold a second, F32 copy of the weights), no adapters, no speculative rows
     */
    public EngineBench(int decodeTokens, int promptTokens, int adapterRank, boolean speculativeOnly, String shape,
                       String dtype, boolean engineOnly) {
        this(decodeTokens, promptTokens, adapterRank, speculativeOnly, shape, dtype, engineOnly, Comparison.defaults());
    }

    public EngineBench(int decodeTokens, int promptTokens, int adapterRank, boolean speculativeOnly, String shape,
                       String dtype, boolean engineOnly, Comparison comparison) {
        this.comparison = comparison;
        this.shape = BenchShapes.named(shape);
        dev.penwright.engine.internal.Safetensors.requireFloatType("--dtype", dtype);
        this.dtype = dtype;
        this.engineOnly = engineOnly;
        this.speculativeOnly = speculativeOnly;
        this.decodeTokens = decodeTokens;
        this.promptTokens = promptTokens;
        this.adapterRank = adapterRank;
    }

    public Map<String, Object> run(Path modelDir) throws IOException {
        Path dir = modelDir;
        Path temp = null;
        if (dir == null) {
            temp = Files.createTempDirectory("penwright-bench-model");
            RandomModels.write(temp, shape, 42, dtype, 1);
            // A tokenizer too, for the copy-aware (copy-heavy) rows: its vocabulary is smaller than the model's,
            // which copy-aware decoding allows (ids past it add no text).
            new BpeTrainer(512, BpeTrainer.DEFAULT_SPECIALS, 1)
                    .trainAndWrite(TOKENIZER_TEXTS, temp);
            dir = temp;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try (LanguageModel model = LanguageModel.load(dir)) {
            // As the runtime's engine runs it (a bare load keeps one-token steps).
            model.lookahead(dev.penwright.engine.Engine.DEFAULT_LOOKAHEAD);
            ModelConfig c = model.config();
            out.put("model", modelDir == null ? "random " + BenchShapes.BY_NAME.entrySet().stream()
                    .filter(e -> e.getValue() == shape).findFirst().orElseThrow().getKey() + " " + dtype : modelDir.toString());
            out.put("shape", Map.of("architecture", c.architecture(), "hidden_size", c.hiddenSize(), "layers", c.numLayers(),
                    "heads", c.numHeads(), "kv_heads", c.numKvHeads(), "intermediate_size", c.intermediateSize(),
                    "vocab_size", c.vocabSize(), "parameters", c.parameterCount()));
            // Warm up the kernels and the JIT.
            decodeRate(model, 1, 32, null);
            if (engineOnly) {
                double[] b1 = timed(() -> decodeRate(model, 1, decodeTokens, null), decodeTokens);
                double[] b8 = timed(() -> decodeRate(model, 8, decodeTokens, null), 8L * decodeTokens);
                out.put("decode_tokens_per_s_batch1", round(b1[0]));
                out.put("decode_tokens_per_s_batch8", round(b8[0]));
                out.put("prefill_tokens_per_s", round(prefillRate(model)));
                out.put("load_average", ProcessFigures.loadAverage());
                out.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
                out.put("decode_tokens", decodeTokens);
                out.put("prompt_tokens", promptTokens);
                out.put("peak_rss_mb", ProcessFigures.peakRssMb());
                return out;
            } else if (speculativeOnly) {
                out.put("speculative", speculative(model, dir, c));
                out.put("load_average", ProcessFigures.loadAverage());
                out.put("decode_tokens", decodeTokens);
                return out;
            }
            if (!comparison.yardstick()) {
                new TorchComparison(this, model, dir, out).run();
                return out;
            }
            // The machine may be shared: each figure also comes per CPU-second of this process, the plain DJL
            // decoder (the yardstick) runs under the same conditions, and the measurements are interleaved twice,
            // keeping the best of each, so that a change in load does not favour one of them.
            List<LoraAdapter> adapters = new ArrayList<>();
            try (PlainDecoder plain = new PlainDecoder(dir, c)) {
                for (int i = 0; i < 8; i++) {
                    adapters.add(model.createAdapter("bench-" + i, LoraConfig.of(adapterRank, 2 * adapterRank,
                            LoraConfig.MODULES), i, false));
                }
                plain.decodeRate(prompts(1, c.vocabSize()), 8);
                decodeRate(model, 8, 16, adapters);
                double[] b1 = {0, 0};
                double[] b8 = {0, 0};
                double[] b8a = {0, 0};
                double[] plain1 = {0, 0};
                double[] plain8 = {0, 0};
                for (int round = 0; round < 2; round++) {
                    b1 = best(b1, timed(() -> decodeRate(model, 1, decodeTokens, null), decodeTokens));
                    plain1 = best(plain1, timed(() -> plain.decodeRate(prompts(1, c.vocabSize()), decodeTokens), decodeTokens));
                    b8 = best(b8, timed(() -> decodeRate(model, 8, decodeTokens, null), 8L * decodeTokens));
                    plain8 = best(plain8, timed(() -> plain.decodeRate(prompts(8, c.vocabSize()), decodeTokens), 8L * decodeTokens));
                    b8a = best(b8a, timed(() -> decodeRate(model, 8, decodeTokens, adapters), 8L * decodeTokens));
                }
                double prefill = prefillRate(model);
                out.put("decode_tokens_per_s_batch1", round(b1[0]));
                out.put("decode_tokens_per_s_batch8", round(b8[0]));
                out.put("decode_tokens_per_s_batch8_8_adapters", round(b8a[0]));
                out.put("yardstick_plain_djl_tokens_per_s_batch1", round(plain1[0]));
                out.put("yardstick_plain_djl_tokens_per_s_batch8", round(plain8[0]));
                out.put("decode_tokens_per_cpu_s_batch1", round(b1[1]));
                out.put("decode_tokens_per_cpu_s_batch8", round(b8[1]));
                out.put("decode_tokens_per_cpu_s_batch8_8_adapters", round(b8a[1]));
                // Under load, wall-clock rates swing with the other processes; CPU-second rates much less.
                out.put("yardstick_plain_djl_tokens_per_cpu_s_batch1", round(plain1[1]));
                out.put("yardstick_plain_djl_tokens_per_cpu_s_batch8", round(plain8[1]));
                out.put("load_average", ProcessFigures.loadAverage());
                out.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
                out.put("adapter_rank", adapterRank);
                out.put("prefill_tokens_per_s", round(prefill));
                out.put("speculative", speculative(model, dir, c));
                out.put("prompt_tokens", promptTokens);
                out.put("decode_tokens", decodeTokens);
                // FLOPs a decoded token costs: 2 per weight touched (all but the embedding lookup) + attention over the context.
                double flopsPerToken = 2.0 * (c.parameterCount() - (long) c.vocabSize() * c.hiddenSize() * (c.tieWordEmbeddings() ? 0 : 1))
                        + 4.0 * c.numLayers() * c.queryWidth() * (16 + decodeTokens / 2.0);
                double peak = theoreticalPeakFlops();
                double measured = measuredMatmulFlops(model);
                out.put("flops_per_token", Math.round(flopsPerToken));
                out.put("cpu", cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
                out.put("mkl_dispatch", mklDispatch());
                out.put("nominal_peak_gflops", round(peak / 1e9));
                out.put("measured_sgemm_gflops", round(measured / 1e9));
                // The cores boost above the nominal clock that /proc/cpuinfo reports, so a 1024^3 SGEMM can beat the
                // nominal figure: the roof is whichever is higher.
                double roof = Math.max(peak, measured);
                out.put("peak_gflops", round(roof / 1e9));
                out.put("peak_basis", measured > peak
                        ? "measured 1024^3 SGEMM (above cores x nominal MHz x 64 FP32 FLOP/cycle: the cores boost)"
                        : "cores x nominal MHz from /proc/cpuinfo x 64 FP32 FLOP/cycle (two 512-bit FMA pipes)");
                out.put("peak_fraction_batch1", round4(b1[0] * flopsPerToken / roof));
                out.put("peak_fraction_batch8", round4(b8[0] * flopsPerToken / roof));
                out.put("peak_fraction_batch8_8_adapters", round4(b8a[0] * flopsPerToken / roof));
            } finally {
                adapters.forEach(LoraAdapter::close);
            }
        } finally {
            if (temp != null) {
                try (var s = Files.walk(temp)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        out.put("peak_rss_mb", ProcessFigures.peakRssMb());
        return out;
    }

    /** Draft lengths tried on the copy-heavy prompt at batch 1. */
    static final int[] LOOKAHEADS = {2, 4, 8};
    /** Copy bias of the copy-heavy rows, a pack's order of magnitude. */
    static final double COPY_BIAS = 8.0;

    /**
     * Plan-lookup speculative decoding against one-token steps, interleaved, best of two: a copy-heavy prompt (the
     * prompt is the plan, copy-aware decoding with a strong copy bias, greedy) at batch 1 for each of
     * {@link #LOOKAHEADS} and at batch 8 for the engine's default, and the plain prompts of the figures above (no
     * plan: drafts come from the prompt and are rarely right) to show what speculation costs when it cannot help.
     */
    private Map<String, Object> speculative(LanguageModel model, Path dir, ModelConfig c) {
        Map<String, Object> out = new LinkedHashMap<>();
        // The configured draft length, or with speculation off the longest one tried.
        int k = model.lookahead() > 0 ? model.lookahead() : LOOKAHEADS[LOOKAHEADS.length - 1];
        out.put("lookahead_default", model.lookahead());
        if (!model.hasTokenizer()) {
            out.put("copy_heavy", "skipped: the model folder has no tokenizer.json (copy-aware decoding needs one)");
        } else {
            // A copy-heavy request is one whose text follows its plan, as a styler's should. A random model follows
            // no plan of ours (the copy bias only acts once the text matches the plan, and its first token
            // matches by chance), so the plan is the model's own greedy text after the prompt: drafts are right
            // unless the lookup picks the wrong occurrence of a repeated span, the speed-up's upper end for this
            // model. Greedy with the copy bias on (copy-aware rows take the full-logits path, as packs do).
            long[] prompt = prompts(1, c.vocabSize())[0];
            List<Integer> own = model.run(List.of(new GenerateRequest(prompt,
                    new GenerationOptions(decodeTokens + 32, 0.0, 0, 1.0, 1.0, 0L, List.of()), null)), 1, 0)
                    .generations().get(0).tokenIds();
            long[] plan = own.stream().mapToLong(Integer::longValue).toArray();
            Map<String, Object> copy = new LinkedHashMap<>();
            copy.put("prompt", prompt.length + " tokens; plan: the model's own greedy text (" + plan.length
                    + " tokens); greedy, copyBias " + COPY_BIAS);
            for (int rows : new int[] {1, 8}) {
                int[] ks = rows == 1 ? LOOKAHEADS : new int[] {k};
                double[] off = {0};
                double[][] on = new double[ks.length][];
                for (int round = 0; round < 2; round++) {
                    off[0] = Math.max(off[0], (double) specRate(model, rows, prompt, plan, 0)[0]);
                    for (int j = 0; j < ks.length; j++) {
                        Object[] r = specRate(model, rows, prompt, plan, ks[j]);
                        if (on[j] == null || (double) r[0] > on[j][0]) {
                            dev.penwright.engine.SpeculationStats st = (dev.penwright.engine.SpeculationStats) r[1];
                            on[j] = new double[] {(double) r[0], st.meanAcceptedLength(), st.acceptanceRate(),
                                    st.speculativeSteps() / (double) Math.max(1, st.decodeSteps())};
                        }
                    }
                }
                copy.put("tokens_per_s_batch" + rows + "_off", round(off[0]));
                for (int j = 0; j < ks.length; j++) {
                    String key = "batch" + rows + "_lookahead" + ks[j];
                    copy.put("tokens_per_s_" + key, round(on[j][0]));
                    copy.put("speedup_" + key, round4(on[j][0] / off[0]));
                    copy.put("mean_accepted_draft_length_" + key, round4(on[j][1]));
                    copy.put("draft_token_acceptance_" + key, round4(on[j][2]));
                    copy.put("speculative_pass_fraction_" + key, round4(on[j][3]));
                }
            }
            out.put("copy_heavy", copy);
        }
        Map<String, Object> plain = new LinkedHashMap<>();
        for (int rows : new int[] {1, 8}) {
            double off = 0;
            double on = 0;
            for (int round = 0; round < 2; round++) {
                off = Math.max(off, decodeRate(model, rows, decodeTokens, null, 0));
                on = Math.max(on, decodeRate(model, rows, decodeTokens, null, k));
            }
            plain.put("tokens_per_s_batch" + rows + "_off", round(off));
            plain.put("tokens_per_s_batch" + rows + "_lookahead" + k, round(on));
            plain.put("speedup_batch" + rows, round4(on / off));
        }
        out.put("no_plan", plain);
        return out;
    }

    /** {decode tokens/s (prefill excluded), SpeculationStats} of {@code rows} copy-heavy rows. */
    private Object[] specRate(LanguageModel model, int rows, long[] prompt, long[] plan, int lookahead) {
        AtomicLong started = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong firstSeen = new AtomicLong();
        long[] end = new long[1];
        List<GenerateRequest> requests = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            GenerationOptions o = new GenerationOptions(decodeTokens, 0.0, 0, 1.0, 1.0, 0L, List.of())
                    .withCopyAware(COPY_BIAS, null, null);
            requests.add(new GenerateRequest(prompt, o, null, (id, lp, d) -> {
                long now = System.nanoTime();
                if (firstSeen.incrementAndGet() == rows) {
                    started.set(now);
                } else if (firstSeen.get() > rows) {
                    counted.incrementAndGet();
                    end[0] = now;
                }
            }, new dev.penwright.engine.PlanContext(plan, List.of())));
        }
        dev.penwright.engine.BatchResult done = model.run(requests, rows, lookahead);
        return new Object[] {counted.get() / ((end[0] - started.get()) / 1e9), done.speculation()};
    }

    int decodeTokens() {
        return decodeTokens;
    }

    int adapterRank() {
        return adapterRank;
    }

    Comparison comparison() {
        return comparison;
    }

    double decodeRate(LanguageModel model, int rows, int tokens, List<LoraAdapter> adapters) {
        return decodeRate(model, rows, tokens, adapters, model.lookahead());
    }

    /** Tokens/s while all {@code rows} rows decode together, prefill excluded (timed from the stream). */
    private double decodeRate(LanguageModel model, int rows, int tokens, List<LoraAdapter> adapters, int lookahead) {
        int vocab = model.config().vocabSize();
        AtomicLong started = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong firstSeen = new AtomicLong();
        long[] end = new long[1];
        List<GenerateRequest> requests = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            long[] prompt = new long[16];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (r * 97 + i * 13) % (vocab - 1);
            }
            // Sampling would stop at random EOS; greedy with EOS set beyond reach keeps every row the same length.
            GenerationOptions o = new GenerationOptions(tokens, 0.0, 0, 1.0, 1.0, 0L, List.of());
            requests.add(new GenerateRequest(prompt, o, adapters == null ? null : adapters.get(r), (id, lp, d) -> {
                long now = System.nanoTime();
                if (firstSeen.incrementAndGet() == rows) {
                    started.set(now); // every row has its first token: the batch is full from here on
                } else if (firstSeen.get() > rows) {
                    counted.incrementAndGet();
                    end[0] = now;
                }
            }));
        }
        List<Generation> done = model.run(requests, rows, lookahead).generations();
        if (done.stream().anyMatch(g -> g.tokenIds().size() < tokens && !"eos".equals(g.finishReason()))) {
            throw new IllegalStateException("a benchmark row ended early");
        }
        return counted.get() / ((end[0] - started.get()) / 1e9);
    }

    private static double[] best(double[] a, double[] b) {
        return new double[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])};
    }

    /** {wall tokens/s, tokens per CPU-second of the whole process} of a run producing {@code tokens} tokens. */
    private static double[] timed(java.util.function.DoubleSupplier run, long tokens) {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        double rate = run.getAsDouble();
        long wall = System.nanoTime() - t0;
        long cpu = processCpuNanos() - cpu0;
        // The CPU figure covers the whole run (prefill included), so it is a slight underestimate of decode.
        return new double[] {rate, cpu <= 0 ? -1 : tokens / (cpu / 1e9) * 1.0, wall};
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }


    static long[][] prompts(int rows, int vocab) {
        long[][] p = new long[rows][16];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 16; i++) {
                p[r][i] = 1 + (r * 97 + i * 13) % (vocab - 1);
            }
        }
        return p;
    }

    /** The prefill prompt: {@code promptTokens} ids (fewer if the model's positions end sooner). */
    long[] prefillPrompt(ModelConfig c) {
        int n = Math.min(promptTokens, c.maxPositions() - 1);
        long[] prompt = new long[n];
        for (int i = 0; i < n; i++) {
            prompt[i] = 1 + (i * 31) % (c.vocabSize() - 1);
        }
        return prompt;
    }

    /** Tokens/s of one prefill of {@link #prefillPrompt} (its first token included, as PyTorch's is). */
    double prefillOnce(LanguageModel model) {
        long[] prompt = prefillPrompt(model.config());
        long t0 = System.nanoTime();
        model.generateAll(List.of(new GenerateRequest(prompt, GenerationOptions.greedy(1), null)), 1);
        return prompt.length / ((System.nanoTime() - t0) / 1e9);
    }

    private double prefillRate(LanguageModel model) {
        int vocab = model.config().vocabSize();
        int n = Math.min(promptTokens, model.config().maxPositions() - 1);
        long[] prompt = new long[n];
        for (int i = 0; i < n; i++) {
            prompt[i] = 1 + (i * 31) % (vocab - 1);
        }
        GenerateRequest r = new GenerateRequest(prompt, GenerationOptions.greedy(1), null);
        model.generateAll(List.of(r), 1);
        long best = Long.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            model.generateAll(List.of(r), 1);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return n / (best / 1e9);
    }

    static double measuredMatmulFlops(LanguageModel model) {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 1024;
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            a.matMul(b).close();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                best = Math.min(best, System.nanoTime() - t0);
            }
            return 2.0 * n * n * n / (best / 1e9);
        }
    }

    static double theoreticalPeakFlops() {
        double mhz = 2000;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // keep the assumption
        }
        return Runtime.getRuntime().availableProcessors() * mhz * 1e6 * 64;
    }

    /** Whether oneMKL was made to use its AVX-512 kernels on this AMD CPU (launcher/native/mkl-dispatch.c). */
    static String mklDispatch() {
        String preload = System.getenv("LD_PRELOAD");
        return preload != null && preload.contains("penwright-mkl-dispatch")
                ? "AVX-512 (penwright MKL dispatch shim preloaded)" : "MKL's own choice (no shim)";
    }

    static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return "unknown CPU";
    }


    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
