package dev.penwright.engine.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

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
import dev.penwright.engine.internal.Safetensors;

/**
 * The default {@code bench engine} run: the engine against the PyTorch eager decoder with a KV cache
 * ({@link TorchEager}) on the very same checkpoint, in one invocation. First the greedy ids of both on one prompt;
 * then {@link EngineBench.Comparison#rounds()} rounds in which each phase (decode at batch 1, batch 8, batch 8 with 8
 * different adapters, prefill) runs on the engine and then on PyTorch (the order flips every round), so a change in
 * the machine's load hits both; medians and every round are reported. Last, each process's peak RSS, the memory
 * bandwidth measured here and the batch-1 limit it sets.
 */
final class TorchComparison {
    /** Greedy tokens compared on the parity prompt. */
    static final int PARITY_TOKENS = 32;

    private final EngineBench bench;
    private final LanguageModel model;
    private final Path dir;
    private final Map<String, Object> out;
    private final PrintWriter progress;
    private String torchDtypeChoice = "";

    TorchComparison(EngineBench bench, LanguageModel model, Path dir, Map<String, Object> out) {
        this.bench = bench;
        this.model = model;
        this.dir = dir;
        this.out = out;
        this.progress = bench.comparison().progress();
    }

    private void say(String line) {
        if (progress != null) {
            progress.println("bench engine: " + line);
            progress.flush();
        }
    }

    void run() throws IOException {
        ModelConfig c = model.config();
        int tokens = bench.decodeTokens();
        int threads = bench.comparison().threads();
        int rounds = Math.max(1, bench.comparison().rounds());
        Path work = Files.createTempDirectory("penwright-bench-torch");
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            say("engine: warm-up");
            bench.decodeRate(model, 1, 32, null);
            // The base model's own peak while it decodes and prefills, apart from loading and from adapters: the
            // peak is started afresh here (and again below, with the adapters loaded).
            long loadingRss = ProcessFigures.peakRssMb();
            boolean phasePeaks = ProcessFigures.resetPeakRss();
            engineRate("decode_batch1", null, tokens);
            engineRate("decode_batch8", null, tokens);
            engineRate("prefill", null, tokens);
            long baseRss = ProcessFigures.peakRssMb();
            // The 8 adapters as a user has them: PEFT folders stored in the checkpoint's dtype (as PEFT saves the
            // adapter of a half-precision model), loaded as a server loads them; PyTorch reads the same files.
            String stored = checkpointDtype(dir);
            List<Path> adapterDirs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path a = work.resolve("adapter-" + i);
                LoraAdapter.writeRandom(a, c, LoraConfig.of(bench.adapterRank(), 2 * bench.adapterRank(),
                        LoraConfig.MODULES), i, false, Safetensors.FLOAT_TYPES.contains(stored) ? stored : "F32");
                adapterDirs.add(a);
                adapters.add(model.loadAdapter(a));
            }
            List<LoraAdapter> oneAdapter = java.util.Collections.nCopies(8, adapters.get(0));
            bench.decodeRate(model, 8, 16, adapters);

            TorchEager.Found found = TorchEager.find(bench.comparison().python());
            TorchEager torch = null;
            if (found.python() == null) {
                String skipped = "skipped — no python with torch found (tried " + String.join(", ", found.tried()) + ")";
                say("pytorch: " + skipped);
                out.put("pytorch", skipped);
            } else {
                String[] dtype = torchDtype(bench.comparison().torchDtype(), checkpointDtype(dir));
                torchDtypeChoice = dtype[1];
                say("pytorch: loading the checkpoint with " + found.python() + " (" + threads + " threads, weights "
                        + dtype[0] + ")");
                torch = TorchEager.start(found.python(), dir, threads, dtype[0].equals("F32"), work);
            }
            try {
                if (torch != null) {
                    parity(torch, c);
                    say("pytorch: warm-up");
                    torch.decodeRate(1, 8, null);
                    torch.decodeRate(8, 4, adapterDirs);
                }
                Map<String, List<Double>> e = new LinkedHashMap<>();
                Map<String, List<Double>> t = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    // Engine first in even rounds, PyTorch first in odd ones: neither always runs on a warmer core.
                    boolean engineFirst = round % 2 == 0;
                    String r = "round " + (round + 1) + "/" + rounds + ": ";
                    for (String phase : List.of("decode_batch1", "decode_batch8", "decode_batch8_8_adapters", "prefill")) {
                        for (int side = 0; side < 2; side++) {
                            boolean engine = (side == 0) == engineFirst;
                            if (!engine && torch == null) {
                                continue;
                            }
                            say(r + (engine ? "engine " : "pytorch ") + phase);
                            double v = engine ? engineRate(phase, adapters, tokens) : torchRate(torch, phase, adapterDirs, tokens);
                            (engine ? e : t).computeIfAbsent(phase, k -> new ArrayList<>()).add(EngineBench.round(v));
                        }
                        if (phase.equals("decode_batch8_8_adapters")) {
                            say(r + "engine decode_batch8_1_adapter");
                            e.computeIfAbsent("decode_batch8_1_adapter", k -> new ArrayList<>())
                                    .add(EngineBench.round(bench.decodeRate(model, 8, tokens, oneAdapter)));
                        }
                    }
                }
                long engineRss = ProcessFigures.peakRssMb();
                Map<String, Object> engine = new LinkedHashMap<>();
                e.forEach((k, v) -> engine.put(k + "_tokens_per_s", EngineBench.round(median(v))));
                engine.put("peak_rss_mb", engineRss);
                if (phasePeaks) {
                    engine.put("peak_rss_basis", "decoding (every phase, adapters loaded); loading apart");
                    engine.put("peak_rss_mb_loading", loadingRss);
                    engine.put("peak_rss_mb_base_model_decoding", baseRss);
                } else {
                    engine.put("peak_rss_basis", "the whole run (this kernel cannot restart the peak)");
                }
                engine.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
                engine.put("weights", "the engine's loader (F16/BF16 stay half precision)");
                // The figures the bench always reported, at the top level as before (medians now).
                out.put("decode_tokens_per_s_batch1", engine.get("decode_batch1_tokens_per_s"));
                out.put("decode_tokens_per_s_batch8", engine.get("decode_batch8_tokens_per_s"));
                out.put("decode_tokens_per_s_batch8_8_adapters", engine.get("decode_batch8_8_adapters_tokens_per_s"));
                out.put("decode_tokens_per_s_batch8_1_adapter", engine.get("decode_batch8_1_adapter_tokens_per_s"));
                out.put("prefill_tokens_per_s", engine.get("prefill_tokens_per_s"));
                out.put("peak_rss_mb", engineRss);
                if (phasePeaks) {
                    out.put("peak_rss_mb_base_model_decoding", baseRss);
                }
                out.put("engine", engine);
                Map<String, Object> roundsOut = new LinkedHashMap<>();
                roundsOut.put("engine", e);
                if (torch != null) {
                    Map<String, Object> py = new LinkedHashMap<>();
                    t.forEach((k, v) -> py.put(k + "_tokens_per_s", EngineBench.round(median(v))));
                    JsonNode rss = torch.peakRss();
                    py.put("peak_rss_mb", rss.get("vmhwm_mb").asLong());
                    // Not ru_maxrss: Linux carries it over fork and exec, so the child's starts at the JVM's size.
                    py.put("blas", torch.blas());
                    JsonNode info = torch.info();
                    py.put("torch_blas_info", info.get("blas_info").asText());
                    py.put("torch", info.get("torch").asText());
                    py.put("python", found.python() + " " + info.get("python").asText());
                    py.put("intra_op_threads", info.get("threads").asInt());
                    py.put("weights", info.get("dtype").asText() + ": " + torchDtypeChoice);
                    py.put("decoder", "reference/torch_decoder.py --bench: eager, KV cache by concatenation, "
                            + "8 adapters as one per row with batched matmuls");
                    out.put("pytorch", py);
                    roundsOut.put("pytorch", t);
                    Map<String, Object> ratio = new LinkedHashMap<>();
                    for (String phase : t.keySet()) {
                        ratio.put(phase, EngineBench.round4(median(e.get(phase)) / median(t.get(phase))));
                    }
                    ratio.put("peak_rss", EngineBench.round4((double) engineRss / rss.get("vmhwm_mb").asLong()));
                    out.put("ratio_engine_to_pytorch", ratio);
                }
                out.put("engine_8_adapters_to_1_adapter", EngineBench.round4(
                        median(e.get("decode_batch8_8_adapters")) / median(e.get("decode_batch8_1_adapter"))));
                out.put("engine_batch8_to_batch1", EngineBench.round4(
                        median(e.get("decode_batch8")) / median(e.get("decode_batch1"))));
                out.put("rounds", roundsOut);
            } finally {
                if (torch != null) {
                    torch.close();
                }
            }
            // After both peaks were read and the child is gone: the 1 GiB array would raise the engine's VmHWM.
            limit(c, threads, out);
            out.put("load_average", ProcessFigures.loadAverage());
            out.put("cpu", EngineBench.cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
            out.put("mkl_dispatch", EngineBench.mklDispatch());
            out.put("adapter_rank", bench.adapterRank());
            out.put("decode_tokens", tokens);
            out.put("prompt_tokens", bench.prefillPrompt(c).length);
            out.put("rounds_run", rounds);
        } finally {
            adapters.forEach(LoraAdapter::close);
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private double engineRate(String phase, List<LoraAdapter> adapters, int tokens) {
        return switch (phase) {
            case "decode_batch1" -> bench.decodeRate(model, 1, tokens, null);
            case "decode_batch8" -> bench.decodeRate(model, 8, tokens, null);
            case "decode_batch8_8_adapters" -> bench.decodeRate(model, 8, tokens, adapters);
            case "prefill" -> bench.prefillOnce(model);
            default -> throw new IllegalArgumentException(phase);
        };
    }

    private double torchRate(TorchEager torch, String phase, List<Path> adapterDirs, int tokens) throws IOException {
        return switch (phase) {
            case "decode_batch1" -> torch.decodeRate(1, tokens, null);
            case "decode_batch8" -> torch.decodeRate(8, tokens, null);
            case "decode_batch8_8_adapters" -> torch.decodeRate(8, tokens, adapterDirs);
            case "prefill" -> torch.prefillRate(bench.prefillPrompt(model.config()).length);
            default -> throw new IllegalArgumentException(phase);
        };
    }

    /**
     * Greedy ids of both on the bench's first decode prompt. Where they part, each side's log-prob gap between its
     * own id and the other's (the prefixes agree up to there, so both gaps are exact): ids may part at a near-tie only.
     */
    private void parity(TorchEager torch, ModelConfig c) throws IOException {
        say("parity: greedy ids of both on one prompt (" + PARITY_TOKENS + " tokens)");
        long[] prompt = EngineBench.prompts(1, c.vocabSize())[0];
        Generation g = model.generateAll(List.of(new GenerateRequest(prompt, GenerationOptions.greedy(PARITY_TOKENS),
                null)), 1).get(0);
        List<Integer> mine = g.tokenIds();
        JsonNode ref = torch.greedy(prompt, PARITY_TOKENS, mine);
        List<Integer> theirs = new ArrayList<>();
        ref.get("token_ids").forEach(x -> theirs.add(x.asInt()));
        int first = -1;
        for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
            if (i >= mine.size() || i >= theirs.size() || !mine.get(i).equals(theirs.get(i))) {
                first = i;
                break;
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("prompt_tokens", prompt.length);
        p.put("engine_ids", mine);
        p.put("pytorch_ids", theirs);
        out.put("greedy_ids_match", first < 0);
        p.put("first_difference", first);
        if (first >= 0 && first < mine.size() && first < theirs.size()) {
            // PyTorch: its own id's log-prob minus the engine's id's, in its distribution at that position.
            double refGap = ref.get("logprobs").get(first).asDouble() - ref.get("compare_logprobs").get(first).asDouble();
            long[] context = Arrays.copyOf(prompt, prompt.length + first);
            for (int i = 0; i < first; i++) {
                context[prompt.length + i] = mine.get(i);
            }
            double engineOther = model.score(context, new long[] {theirs.get(first)}, null)[0];
            p.put("pytorch_logprob_gap_at_difference", EngineBench.round4(refGap));
            p.put("engine_logprob_gap_at_difference", EngineBench.round4(g.logprobs().get(first) - engineOther));
        }
        int common = Math.min(mine.size(), theirs.size());
        double maxDiff = 0;
        for (int i = 0; i < (first < 0 ? common : first); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(g.logprobs().get(i) - ref.get("logprobs").get(i).asDouble()));
        }
        p.put("max_logprob_difference_before_it", EngineBench.round4(maxDiff));
        out.put("greedy_parity", p);
        say("parity: greedy_ids_match " + (first < 0) + (first < 0 ? "" : " (first difference at " + first + ")"));
    }

    /**
     * The physical limit of batch-1 decode: memory bandwidth measured here (libtorch's sum over a 1 GiB F32 array,
     * through DJL, at the bench's thread count, best of 5) divided by the bytes of weights a token reads.
     */
    private void limit(ModelConfig c, int threads, Map<String, Object> out) throws IOException {
        say("bandwidth: summing a 1 GiB array");
        double bandwidth;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(1L << 28));
            a.sum().close();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                a.sum().close();
                best = Math.min(best, System.nanoTime() - t0);
            }
            bandwidth = (double) (1L << 30) / (best / 1e9);
        }
        long bytes = weightBytesPerToken(dir, c);
        double limit = bandwidth / bytes;
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("memory_bandwidth_gb_per_s", EngineBench.round(bandwidth / 1e9));
        l.put("bandwidth_method", "libtorch sum (through DJL, in the engine's process) over a 1 GiB F32 array, "
                + "best of 5, " + ai.djl.pytorch.jni.JniUtils.getNumThreads() + " intra-op threads");
        l.put("weight_bytes_per_token", bytes);
        l.put("weight_bytes_basis", "every tensor of the checkpoint at its stored dtype, the embedding as one row "
                + "unless it is tied (then it is the output head, read whole)");
        l.put("batch1_limit_tokens_per_s", EngineBench.round(limit));
        Object engine = out.get("decode_tokens_per_s_batch1");
        if (engine instanceof Double d) {
            l.put("engine_batch1_fraction_of_limit", EngineBench.round4(d / limit));
        }
        if (out.get("pytorch") instanceof Map<?, ?> py && py.get("decode_batch1_tokens_per_s") instanceof Double d) {
            l.put("pytorch_batch1_fraction_of_limit", EngineBench.round4(d / limit));
        }
        out.put("batch1_limit", l);
    }

    /** Bytes of weights one decoded token reads, from the checkpoint's safetensors headers. */
    static long weightBytesPerToken(Path dir, ModelConfig c) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        long bytes = 0;
        for (Path f : files) {
            for (Safetensors.TensorInfo t : Safetensors.open(f).tensors().values()) {
                long width = Safetensors.bytesPerElement(t.dtype());
                if (t.name().equals("model.embed_tokens.weight") && !c.tieWordEmbeddings()) {
                    bytes += t.shape()[t.shape().length - 1] * width; // a lookup reads one row
                } else {
                    bytes += t.elements() * width;
                }
            }
        }
        return bytes;
    }

    /** The dtype of the checkpoint's embedding (what the engine judges a checkpoint's precision by). */
    static String checkpointDtype(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                Safetensors.TensorInfo t = Safetensors.open(f).tensors().get("model.embed_tokens.weight");
                if (t != null) {
                    return t.dtype();
                }
            }
        }
        return "F32";
    }

    /**
     * {dtype, why} of PyTorch's weights. {@code auto} keeps a half checkpoint half only where the CPU multiplies in
     * that dtype natively (AVX512-BF16 or AMX for BF16, AVX512-FP16 or AMX-FP16 for F16): elsewhere eager PyTorch's
     * half matmuls take a scalar path (Debian's torch 1.13 on AVX2: 1.6 GFLOP/s for BF16 against 27–83 for F32),
     * and what a user runs is F32, which transformers' from_pretrained also gives without torch_dtype.
     */
    static String[] torchDtype(String requested, String stored) {
        String r = requested == null ? "auto" : requested.toUpperCase(java.util.Locale.ROOT);
        if (!List.of("AUTO", "STORED", "F32").contains(r)) {
            throw new IllegalArgumentException("--torch-dtype must be auto, stored or F32, not '" + requested + "'");
        }
        if (r.equals("F32")) {
            return new String[] {"F32", "F32 as asked (--torch-dtype F32)"};
        }
        if (r.equals("STORED") || stored.equals("F32")) {
            return new String[] {stored, "the checkpoint's dtype"};
        }
        String flags = cpuFlags();
        boolean fast = stored.equals("BF16")
                ? flags.contains(" avx512_bf16 ") || flags.contains(" amx_bf16 ")
                : flags.contains(" avx512_fp16 ") || flags.contains(" amx_fp16 ");
        return fast ? new String[] {stored, "the checkpoint's dtype (the CPU multiplies it natively)"}
                : new String[] {"F32", "upcast from " + stored + " (--torch-dtype auto: this CPU has no native "
                        + stored + " matmul, where eager PyTorch's " + stored + " linear runs a scalar path)"};
    }

    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                }
            }
        } catch (IOException e) {
            // unknown: no native half matmuls assumed
        }
        return " ";
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
