package dev.penwright.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The project's PyTorch eager reference decoder ({@code reference/torch_decoder.py}: plain torch and the standard
 * library, no code shared with the engine) run with the Python that has torch (Debian's python3-torch in CI), as one
 * process answering jobs on stdin, so that torch is imported once a test class.
 */
final class TorchReference implements AutoCloseable {
    /** Greedy ids and their log-probs, one row. */
    record Result(List<Integer> ids, List<Double> logprobs) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final OutputStream jobs;
    private final BufferedReader answers;

    private TorchReference(Process process) {
        this.process = process;
        this.jobs = process.getOutputStream();
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The reference, or null when no Python on this machine imports torch (the caller skips). */
    static TorchReference start(Path workDir) throws IOException, InterruptedException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            Process p;
            try {
                p = new ProcessBuilder(candidate, "-c", "import torch").redirectErrorStream(true).start();
            } catch (IOException e) {
                continue;
            }
            p.getInputStream().readAllBytes();
            if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                Path script = workDir.resolve("torch_decoder.py");
                try (InputStream in = TorchReference.class.getResourceAsStream("reference/torch_decoder.py")) {
                    Files.write(script, in.readAllBytes());
                }
                return new TorchReference(new ProcessBuilder(candidate, script.toString(), "--serve", "--threads", "1")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
        }
        return null;
    }

    Result greedy(Path model, Path adapter, long[] prompt, int maxTokens) throws IOException {
        Map<String, Object> job = new java.util.LinkedHashMap<>();
        job.put("model", model.toString());
        if (adapter != null) {
            job.put("adapter", adapter.toString());
        }
        job.put("prompt_ids", List.of(prompt));
        job.put("max_tokens", maxTokens);
        jobs.write(JSON.writeValueAsBytes(job));
        jobs.write('\n');
        jobs.flush();
        String line = answers.readLine();
        if (line == null) {
            throw new IllegalStateException("reference decoder exited (see its stderr above)");
        }
        JsonNode json = JSON.readTree(line);
        if (json.has("error")) {
            throw new IllegalStateException("reference decoder failed on " + job + ": " + json.get("error").asText());
        }
        List<Integer> ids = new ArrayList<>();
        json.get("token_ids").get(0).forEach(x -> ids.add(x.asInt()));
        List<Double> logprobs = new ArrayList<>();
        json.get("logprobs").get(0).forEach(x -> logprobs.add(x.asDouble()));
        return new Result(ids, logprobs);
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
