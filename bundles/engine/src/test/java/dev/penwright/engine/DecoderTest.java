package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.training.TrainingAccess;

class DecoderTest {
    @TempDir
    Path tmp;

    /** Greedy KV-cache decoding must pick, at every step, the argmax of a full causal pass over the same tokens. */
    @ParameterizedTest
    @CsvSource({"llama,false", "qwen2,true", "mistral,false"})
    void kvCacheDecodingEqualsFullForward(String arch, boolean tied) throws Exception {
        Path dir = TinyModels.write(tmp.resolve(arch), arch, tied, 7);
        try (LanguageModel model = LanguageModel.load(dir)) {
            long[] prompt = TinyModels.ids(5, 17, 42, 99, 3, 250);
            Generation g = model.generate(new GenerateRequest(prompt, GenerationOptions.greedy(12), null));
            assertEquals(12, g.tokenIds().size());
            List<Integer> all = TinyModels.concat(prompt, g.tokenIds());
            long[] seq = new long[all.size() - 1];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = all.get(i);
            }
            int v = model.config().vocabSize();
            try (NDScope scope = new NDScope()) {
                NDArray logp = model.logits(new long[][] {seq}, null).logSoftmax(-1);
                float[] lp = logp.toFloatArray();
                for (int i = 0; i < g.tokenIds().size(); i++) {
                    int pos = prompt.length - 1 + i;
                    int best = 0;
                    for (int j = 1; j < v; j++) {
                        if (lp[pos * v + j] > lp[pos * v + best]) {
                            best = j;
                        }
                    }
                    assertEquals(best, g.tokenIds().get(i), "step " + i);
                    assertEquals(lp[pos * v + best], g.logprobs().get(i), 1e-4, "logprob at step " + i);
                }
            }
            double[] scored = model.score(prompt, g.tokenIds().stream().mapToLong(Integer::longValue).toArray(), null);
            for (int i = 0; i < scored.length; i++) {
                assertEquals(g.logprobs().get(i), scored[i], 1e-4);
            }
        }
    }

    @Test
    void zeroBAdapterEqualsBaseAndMergedEqualsUnmerged() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), "qwen2", false, 11);
        try (LanguageModel model = LanguageModel.load(dir)) {
            long[] prompt = TinyModels.ids(9, 8, 7, 6, 5);
            GenerationOptions greedy = GenerationOptions.greedy(10);
            Generation base = model.generate(new GenerateRequest(prompt, greedy, null));
            LoraConfig cfg = LoraConfig.of(4, 8, LoraConfig.MODULES);
            try (LoraAdapter zero = model.createAdapter("zero", cfg, 1, true);
                 LoraAdapter real = model.createAdapter("real", cfg, 2, false)) {
                Generation withZero = model.generate(new GenerateRequest(prompt, greedy, zero));
                assertEquals(base.tokenIds(), withZero.tokenIds());
                for (int i = 0; i < base.logprobs().size(); i++) {
                    assertEquals(base.logprobs().get(i), withZero.logprobs().get(i), 1e-5);
                }
                Generation unmerged = model.generate(new GenerateRequest(prompt, greedy, real));
                assertNotEquals(base.logprobs(), unmerged.logprobs(), "a non-zero adapter must change the output");
                try (LanguageModel merged = model.merge(real)) {
                    Generation m = merged.generate(new GenerateRequest(prompt, greedy, null));
                    assertEquals(unmerged.tokenIds(), m.tokenIds());
                    for (int i = 0; i < m.logprobs().size(); i++) {
                        assertEquals(unmerged.logprobs().get(i), m.logprobs().get(i), 1e-4);
                    }
                }
            }
        }
    }

    /** Rows join and leave a batch of 3; adapters differ per row; every row must equal its output alone. */
    @Test
    void mixedAdapterBatchEqualsRowsAlone() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("b"), "llama", false, 13);
        try (LanguageModel model = LanguageModel.load(dir)) {
            LoraConfig attn = LoraConfig.of(4, 8, List.of("q_proj", "v_proj"));
            LoraConfig all = new LoraConfig(2, 4, LoraConfig.MODULES, java.util.Map.of("down_proj", 6),
                    java.util.Map.of("o_proj", 1.0), true, "");
            try (LoraAdapter a = model.createAdapter("a", attn, 3, false);
                 LoraAdapter b = model.createAdapter("b", all, 4, false)) {
                List<GenerateRequest> requests = new ArrayList<>();
                LoraAdapter[] adapters = {a, b, null, a, b, null};
                int[] lengths = {9, 4, 7, 12, 3, 6};
                for (int i = 0; i < adapters.length; i++) {
                    long[] prompt = new long[3 + i];
                    for (int j = 0; j < prompt.length; j++) {
                        prompt[j] = 4 + (i * 31 + j * 7) % 200;
                    }
                    GenerationOptions o = i % 2 == 0 ? GenerationOptions.greedy(lengths[i])
                            : new GenerationOptions(lengths[i], 0.9, 20, 0.9, 1.2, 100L + i, List.of());
                    requests.add(new GenerateRequest(prompt, o, adapters[i]));
                }
                List<Generation> batched = model.generateAll(requests, 3);
                for (int i = 0; i < requests.size(); i++) {
                    Generation alone = model.generateAll(List.of(requests.get(i)), 1).get(0);
                    assertEquals(alone.tokenIds(), batched.get(i).tokenIds(), "row " + i);
                    for (int j = 0; j < alone.logprobs().size(); j++) {
                        assertEquals(alone.logprobs().get(j), batched.get(i).logprobs().get(j), 1e-4, "row " + i);
                    }
                }
                assertNotEquals(batched.get(0).logprobs(), model.generateAll(List.of(new GenerateRequest(
                        requests.get(0).promptIds(), requests.get(0).options(), null)), 1).get(0).logprobs());
            }
        }
    }

    /**
     * The same on a BF16 model with its adapters held in BF16: where the CPU multiplies BF16 natively, different
     * adapters in one batch are multiplied side by side (RowAdapters.sideBySide), their rank activations rounded to
     * BF16 as PEFT computes a BF16 model's LoRA; elsewhere stacked in F32. Each row's tokens, scored alone with its
     * adapter, get the log-probs the batch gave them within BF16's rounding (greedy ids of a random tiny model sit on
     * near-ties that such rounding flips, so the ids themselves are not compared).
     */
    @Test
    void mixedHalfAdapterBatchEqualsRowsAlone() throws Exception {
        ModelConfig c = TinyModels.config("llama", 300, false);
        Path dir = tmp.resolve("bf16");
        RandomModels.write(dir, c, 21, "BF16", 1);
        LoraConfig attn = LoraConfig.of(4, 8, List.of("q_proj", "v_proj"));
        LoraConfig all = new LoraConfig(2, 4, LoraConfig.MODULES, java.util.Map.of("down_proj", 6), java.util.Map.of(),
                false, "");
        try (LanguageModel f32 = LanguageModel.loadF32(dir);
             LoraAdapter a = f32.createAdapter("a", attn, 3, false); LoraAdapter b = f32.createAdapter("b", all, 4, false)) {
            a.save(tmp.resolve("bf16-a"), "BF16");
            b.save(tmp.resolve("bf16-b"), "BF16");
        }
        try (LanguageModel model = LanguageModel.load(dir);
             LoraAdapter a = model.loadAdapter(tmp.resolve("bf16-a")); LoraAdapter b = model.loadAdapter(tmp.resolve("bf16-b"))) {
            assertTrue(a.isHalf() && b.isHalf());
            LoraAdapter[] adapters = {a, b, null, b};
            List<GenerateRequest> requests = new ArrayList<>();
            for (int i = 0; i < adapters.length; i++) {
                requests.add(new GenerateRequest(TinyModels.ids(3 + i, 40 + 7 * i, 90 + i), GenerationOptions.greedy(6),
                        adapters[i]));
            }
            List<Generation> batched = model.generateAll(requests, 4);
            for (int i = 0; i < requests.size(); i++) {
                Generation row = batched.get(i);
                long[] next = row.tokenIds().stream().mapToLong(Integer::longValue).toArray();
                double[] alone = model.score(requests.get(i).promptIds(), next, adapters[i]);
                for (int j = 0; j < alone.length; j++) {
                    assertEquals(alone[j], row.logprobs().get(j), 0.05, "row " + i + " token " + j);
                }
            }
            assertNotEquals(batched.get(1).logprobs(), model.generateAll(List.of(new GenerateRequest(
                    requests.get(1).promptIds(), requests.get(1).options(), null)), 1).get(0).logprobs());
        }
    }

    @Test
    void samplingSeedStopStringsStreamingAndContextLimit() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("s"), "llama", true, 17);
        try (LanguageModel model = LanguageModel.load(dir)) {
            long[] prompt = model.encode("The quick brown fox");
            // The DJL binding truncates at 512 tokens unless told not to: the engine tells it not to.
            assertTrue(model.encode("The dog sleeps. ".repeat(200)).length > 600);
            GenerationOptions sampled = new GenerationOptions(20, 1.0, 0, 1.0, 1.0, 5L, List.of());
            Generation one = model.generate(new GenerateRequest(prompt, sampled, null));
            Generation two = model.generate(new GenerateRequest(prompt, sampled, null));
            assertEquals(one.tokenIds(), two.tokenIds());
            Generation other = model.generate(new GenerateRequest(prompt,
                    new GenerationOptions(20, 1.0, 0, 1.0, 1.0, 6L, List.of()), null));
            assertNotEquals(one.tokenIds(), other.tokenIds());

            Generation full = model.generate(new GenerateRequest(prompt, GenerationOptions.greedy(30), null));
            String text = full.text();
            assertTrue(text.length() > 6, text);
            String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
            StringBuilder streamed = new StringBuilder();
            Generation cut = model.generate(new GenerateRequest(prompt,
                    new GenerationOptions(30, 0.0, 0, 1.0, 1.0, 0L, List.of(stop)), null,
                    (id, lp, delta) -> streamed.append(delta)));
            assertEquals("stop", cut.finishReason());
            assertEquals(text.substring(0, text.indexOf(stop)), cut.text());
            assertEquals(cut.text(), streamed.toString());

            long[] longPrompt = new long[90];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(new GenerateRequest(longPrompt, GenerationOptions.greedy(10), null)));
            assertTrue(e.getMessage().contains("max_position_embeddings 96"), e.getMessage());
        }
    }

    /** Per-layer scopes free every temporary: a long generation leaves no arrays behind in the model's manager. */
    @Test
    void memoryStaysBounded() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("mem"), "qwen2", false, 23);
        try (LanguageModel model = LanguageModel.load(dir)) {
            ai.djl.ndarray.NDManager manager = TrainingAccess.parameters(model).values().iterator().next().getManager();
            try (LoraAdapter a = model.createAdapter("a", LoraConfig.of(2, 4, LoraConfig.MODULES), 1, false)) {
                List<GenerateRequest> mixed = List.of(new GenerateRequest(TinyModels.ids(1, 2), GenerationOptions.greedy(5), a),
                        new GenerateRequest(TinyModels.ids(3), GenerationOptions.greedy(5), null));
                model.generateAll(mixed, 2);
                int before = manager.getManagedArrays().size();
                model.generateAll(List.of(new GenerateRequest(TinyModels.ids(1, 2, 3), GenerationOptions.greedy(80), null),
                        new GenerateRequest(TinyModels.ids(4), GenerationOptions.greedy(60), a)), 2);
                model.generateAll(mixed, 2);
                model.score(TinyModels.ids(1, 2, 3), TinyModels.ids(4, 5), a);
                assertEquals(before, manager.getManagedArrays().size());
            }
        }
    }
}
