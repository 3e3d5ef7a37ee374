package dev.penwright.engine.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The PyTorch side of {@code bench engine}: the project's eager reference decoder ({@code reference/torch_decoder.py},
 * plain torch and the standard library, no code shared with the engine) run with {@code --bench} as a child process
 * that loads the checkpoint once, in its own dtype, and answers one timing job a line. The caller sends the jobs one
 * at a time, interleaved with the engine's phases.
 */
final class TorchEager implements AutoCloseable {
    /** Where OpenBLAS's pthread build puts its libblas.so.3 / liblapack.so.3 on Debian (libopenblas0-pthread). */
    static final Path OPENBLAS_DIR = Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread");

    /** A Python that imports torch, or why there is none. */
    record Found(String python, List<String> tried) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final OutputStream jobs;
    private final BufferedReader answers;
    private final JsonNode ready;
    private final Path workDir;

    private TorchEager(Process process, Path workDir) throws IOException {
        this.process = process;
        this.workDir = workDir;
        this.jobs = process.getOutputStream();
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.ready = readAnswer("start");
    }

    /**
     * The first of {@code explicit} (the --python option or the penwright.python property, when given),
     * /usr/bin/python3, python3 on PATH that can {@code import torch}. {@code python()} is null when none can.
     */
    static Found find(String explicit) {
        Set<String> candidates = new LinkedHashSet<>();
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(explicit);
        }
        String property = System.getProperty("penwright.python");
        if (property != null && !property.isBlank()) {
            candidates.add(property);
        }
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates) {
            tried.add(candidate);
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return new Found(candidate, tried);
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed here: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Found(null, tried);
    }

    /**
     * Starts the decoder on {@code model} with {@code threads} intra-op threads (0: torch's default), its weights
     * upcast to F32 when {@code f32}, else in the checkpoint's dtype. The child's
     * environment, and only it, is set for a real BLAS: Debian's torch links libblas.so.3, which the alternatives
     * system may point at the reference BLAS; OpenBLAS's own libblas.so.3 directory first on LD_LIBRARY_PATH makes
     * the dynamic linker take OpenBLAS whatever the alternative says. LD_PRELOAD is dropped (the launcher's MKL
     * shim is for the JVM's libtorch, not this one).
     */
    static TorchEager start(String python, Path model, int threads, boolean f32, Path workDir) throws IOException {
        Path script = workDir.resolve("torch_decoder.py");
        try (InputStream in = TorchEager.class.getResourceAsStream("/dev/penwright/engine/reference/torch_decoder.py")) {
            if (in == null) {
                throw new IOException("reference/torch_decoder.py is missing from the engine bundle");
            }
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--bench", "--model", model.toString(),
                "--threads", Integer.toString(threads), "--dtype", f32 ? "f32" : "stored");
        Map<String, String> env = pb.environment();
        env.remove("LD_PRELOAD");
        if (Files.isRegularFile(OPENBLAS_DIR.resolve("libblas.so.3"))) {
            String old = env.get("LD_LIBRARY_PATH");
            env.put("LD_LIBRARY_PATH", OPENBLAS_DIR + (old == null || old.isEmpty() ? "" : ":" + old));
        }
        if (threads > 0) {
            env.put("OMP_NUM_THREADS", Integer.toString(threads));
            env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        }
        // torch's OpenMP threads spin after each parallel region while OpenBLAS's own threads run the matmuls: on
        // two cores at --threads 2 that cost PyTorch 2-4x (d512 batch 1: 15.0 tok/s, 57.3 with passive waiting).
        env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new TorchEager(pb.start(), workDir);
    }

    /** What the child said when it was ready: torch version, threads, the weights' dtype, torch's BLAS_INFO. */
    JsonNode info() {
        return ready;
    }

    long pid() {
        return process.pid();
    }

    /** Decode tokens/s of {@code rows} rows, prefill and the first token excluded; one adapter folder a row or null. */
    double decodeRate(int rows, int tokens, List<Path> adapters) throws IOException {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("op", "decode");
        job.put("rows", rows);
        job.put("tokens", tokens);
        if (adapters != null) {
            job.put("adapters", adapters.stream().map(Path::toString).toList());
        }
        return ask(job).get("tokens_per_s").asDouble();
    }

    double prefillRate(int tokens) throws IOException {
        return ask(Map.of("op", "prefill", "tokens", tokens)).get("tokens_per_s").asDouble();
    }

    /** {"token_ids", "logprobs", "compare_logprobs"} of greedy decoding one prompt. */
    JsonNode greedy(long[] prompt, int maxTokens, List<Integer> compare) throws IOException {
        return ask(Map.of("op", "greedy", "prompt_ids", prompt, "max_tokens", maxTokens, "compare_ids", compare));
    }

    /** {"vmhwm_mb", "ru_maxrss_mb"} of the child, as it reads them itself. */
    JsonNode peakRss() throws IOException {
        return ask(Map.of("op", "rss"));
    }

    /**
     * The BLAS and the other math libraries mapped into the child (from /proc/PID/maps, i.e. what the dynamic
     * linker actually loaded, not what torch was built against), e.g. "OpenBLAS (…/libopenblasp-r0.3.21.so)".
     */
    String blas() {
        List<String> libs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String file = line.substring(slash);
                String name = file.substring(file.lastIndexOf('/') + 1);
                if ((name.contains("blas") || name.contains("lapack") || name.contains("mkl") || name.startsWith("libdnnl"))
                        && !libs.contains(file)) {
                    libs.add(file);
                }
            }
        } catch (IOException e) {
            return "unknown (no /proc/" + process.pid() + "/maps)";
        }
        String kind;
        if (libs.stream().anyMatch(l -> l.contains("libopenblas"))) {
            kind = "OpenBLAS";
        } else if (libs.stream().anyMatch(l -> l.contains("mkl"))) {
            kind = "MKL";
        } else if (libs.stream().anyMatch(l -> l.contains("/blas/libblas") || l.endsWith("libblas.so.3"))) {
            kind = "reference BLAS (netlib)";
        } else {
            kind = "no BLAS library mapped";
        }
        return kind + " (" + String.join(", ", libs) + ")";
    }

    Path workDir() {
        return workDir;
    }

    private JsonNode ask(Map<String, Object> job) throws IOException {
        jobs.write(json.writeValueAsBytes(job));
        jobs.write('\n');
        jobs.flush();
        JsonNode answer = readAnswer(String.valueOf(job.get("op")));
        if (answer.has("error")) {
            throw new IOException("PyTorch decoder failed on " + job.get("op") + ": " + answer.get("error").asText());
        }
        return answer;
    }

    private JsonNode readAnswer(String what) throws IOException {
        String line = answers.readLine();
        if (line == null) {
            throw new IOException("PyTorch decoder exited during '" + what + "' (its stderr is above)");
        }
        return json.readTree(line);
    }

    @Override
    public void close() throws IOException {
        jobs.close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
