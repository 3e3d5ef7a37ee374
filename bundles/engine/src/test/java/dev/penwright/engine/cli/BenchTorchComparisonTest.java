package dev.penwright.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;

/**
 * {@code bench engine --model DIR}: the engine and the PyTorch eager decoder (a real Python child with torch) on one
 * tiny random checkpoint, through the subcommand as a user runs it. Skips only when no Python on this machine imports
 * torch (.ci/run installs python3-torch).
 */
class BenchTorchComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void engineAndPyTorchAgreeOnGreedyIdsAndEveryFigureIsMeasured() throws Exception {
        TorchEager.Found found = TorchEager.find(null);
        assumeTrue(found.python() != null, "no python with torch found (tried " + found.tried() + "): skipped");
        // GQA, q/k/v biases and an untied head: the reference has to follow each to give the engine's ids.
        ModelConfig c = new ModelConfig("qwen2", 300, 64, 128, 2, 4, 2, 16, 10_000.0, 1e-6, 256, false, true, -1,
                List.of(0));
        Path model = tmp.resolve("model");
        RandomModels.write(model, c, 7, "F32", 1);

        Engine.getEngine("PyTorch");
        int threadsBefore = JniUtils.getNumThreads();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            status = new BenchEngineSubcommand().run(List.of("--model", model.toString(), "--tokens", "12",
                    "--prompt-tokens", "64", "--rounds", "1", "--threads", "1", "--adapter-rank", "4", "--json"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            JniUtils.setNumThreads(threadsBefore); // other tests in this JVM keep their thread count
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, log);
        JsonNode r = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));

        assertTrue(r.get("greedy_ids_match").asBoolean(), "greedy ids differ: " + r.get("greedy_parity"));
        JsonNode parity = r.get("greedy_parity");
        assertEquals(TorchComparison.PARITY_TOKENS, parity.get("engine_ids").size(), parity.toString());
        assertEquals(parity.get("engine_ids"), parity.get("pytorch_ids"));
        assertTrue(parity.get("max_logprob_difference_before_it").asDouble() < 1e-3, parity.toString());

        JsonNode torch = r.get("pytorch");
        assertTrue(torch.isObject(), "PyTorch did not run: " + torch + "\n" + log);
        for (String phase : List.of("decode_batch1", "decode_batch8", "decode_batch8_8_adapters", "prefill")) {
            assertTrue(r.get("engine").get(phase + "_tokens_per_s").asDouble() > 0, phase + ": " + r.get("engine"));
            assertTrue(torch.get(phase + "_tokens_per_s").asDouble() > 0, phase + ": " + torch);
            assertTrue(r.get("ratio_engine_to_pytorch").get(phase).asDouble() > 0, phase);
            assertEquals(1, r.get("rounds").get("pytorch").get(phase).size(), phase);
        }
        assertTrue(r.get("engine").get("decode_batch8_1_adapter_tokens_per_s").asDouble() > 0);
        assertTrue(r.get("peak_rss_mb").asLong() > 0);
        assertTrue(torch.get("peak_rss_mb").asLong() > 0);
        assertEquals(1, torch.get("intra_op_threads").asInt(), "--threads 1 reaches torch.set_num_threads");
        assertEquals(1, r.get("engine").get("intra_op_threads").asInt(), "--threads 1 reaches the engine");
        assertTrue(!torch.get("blas").asText().isBlank() && !torch.get("blas").asText().startsWith("unknown"),
                torch.get("blas").asText());

        JsonNode limit = r.get("batch1_limit");
        assertTrue(limit.get("memory_bandwidth_gb_per_s").asDouble() > 0, limit.toString());
        // F32, untied: every layer tensor and the head whole, the embedding as one row.
        long expected = 4L * (c.parameterCount() - (long) c.vocabSize() * c.hiddenSize() + c.hiddenSize());
        assertEquals(expected, limit.get("weight_bytes_per_token").asLong());
        assertTrue(limit.get("engine_batch1_fraction_of_limit").asDouble() > 0);
        assertTrue(limit.get("pytorch_batch1_fraction_of_limit").asDouble() > 0);
        assertTrue(log.contains("bench engine: parity:") && log.contains("round 1/1: pytorch prefill"), log);
    }
}
