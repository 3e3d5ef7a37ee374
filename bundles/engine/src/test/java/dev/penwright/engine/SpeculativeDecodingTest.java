package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.internal.Safetensors;
import dev.penwright.engine.training.BpeTrainer;

/**
 * Plan-lookup speculative decoding gives exactly the output of one-token steps: the same ids, finish reasons, texts
 * and streamed tokens, and every token's log-prob to float tolerance (a KV-cache rollback that keeps one position
 * too many or too few shifts every later log-prob). Two real tiny models: a random one (copies only under a strong
 * copy bias) and a "chain" model that by construction writes a fixed successor of its last token, so drafts taken
 * from a plan or prompt along that chain are accepted and EOS, stop strings and maxNewTokens land inside them.
 */
class SpeculativeDecodingTest {
    @TempDir
    static Path tmp;
    static LanguageModel random;
    static LanguageModel chain;
    /** succ[x]: the token the chain model writes after x. */
    static int[] succ;

    static final String PLAN = "Debian ships 42 packages; the hacker keeps 要有礼貌 and the lazy dog sleeps.";
    static final int[] LOOKAHEADS = {1, 4, 8};

    @BeforeAll
    static void load() throws Exception {
        random = LanguageModel.load(TinyModels.write(tmp.resolve("random"), "llama", false, 3));
        chain = LanguageModel.load(writeChainModel(tmp.resolve("chain"), 11));
    }

    @AfterAll
    static void close() {
        random.close();
        chain.close();
    }

    /**
     * A real checkpoint whose greedy (and, with its wide margin, sampled) output follows a fixed cycle through the
     * vocabulary: lm_head's row for succ(x) is x's embedding, so the final hidden state of token x (its embedding,
     * normed, plus the layers' contribution, scaled down to a tenth so that attention and the cache still change
     * every log-prob a little) scores succ(x) far above the rest.
     */
    static Path writeChainModel(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        int vocab = new BpeTrainer(320, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(TinyModels.TEXTS, dir);
        ModelConfig c = TinyModels.config("llama", vocab, false);
        c.write(dir.resolve("config.json"));
        Map<String, Safetensors.Entry> t = RandomModels.tensors(c, seed, "F32");
        for (Map.Entry<String, Safetensors.Entry> e : t.entrySet()) {
            if (e.getKey().endsWith("o_proj.weight") || e.getKey().endsWith("down_proj.weight")) {
                float[] v = e.getValue().values();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 0.1f;
                }
            }
        }
        Arrays.fill(t.get("model.norm.weight").values(), 1f);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < vocab; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(seed));
        succ = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            succ[order.get(i)] = order.get((i + 1) % vocab);
        }
        int d = c.hiddenSize();
        float[] embed = t.get("model.embed_tokens.weight").values();
        float[] head = t.get("lm_head.weight").values();
        for (int x = 0; x < vocab; x++) {
            System.arraycopy(embed, x * d, head, succ[x] * d, d);
        }
        Safetensors.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        return dir;
    }

    /** The chain from {@code from} (excluded), n tokens. */
    static long[] chainAfter(int from, int n) {
        long[] out = new long[n];
        int x = from;
        for (int i = 0; i < n; i++) {
            x = succ[x];
            out[i] = x;
        }
        return out;
    }

    /** The token {@code steps} before {@code x} on the chain. */
    static int before(int x, int steps) {
        int y = x;
        for (int s = 0; s < steps; s++) {
            for (int p = 0; p < succ.length; p++) {
                if (succ[p] == y) {
                    y = p;
                    break;
                }
            }
        }
        return y;
    }

    /** One request of a comparison; each run gets its own recording stream. */
    record Spec(long[] prompt, GenerationOptions options, LoraAdapter adapter, PlanContext plan) {
    }

    record Streamed(int id, double logprob, String delta) {
    }

    /**
     * Runs the specs with speculation off and with each of {@link #LOOKAHEADS}, asserts identical output, and returns
     * what speculation did over all the speculative runs.
     */
    static SpeculationStats same(LanguageModel m, List<Spec> specs, int maxBatch) {
        List<List<Streamed>> offStreams = new ArrayList<>();
        BatchResult off = m.run(requests(specs, offStreams), maxBatch, 0);
        assertEquals(0, off.speculation().speculativeSteps());
        long steps = 0;
        long spec = 0;
        long drafts = 0;
        long draftTokens = 0;
        long accepted = 0;
        for (int k : LOOKAHEADS) {
            List<List<Streamed>> onStreams = new ArrayList<>();
            BatchResult on = m.run(requests(specs, onStreams), maxBatch, k);
            for (int i = 0; i < specs.size(); i++) {
                Generation a = off.generations().get(i);
                Generation b = on.generations().get(i);
                String where = "lookahead " + k + ", request " + i;
                assertEquals(a.tokenIds(), b.tokenIds(), where);
                assertEquals(a.finishReason(), b.finishReason(), where);
                assertEquals(a.text(), b.text(), where);
                assertEquals(a.logprobs().size(), b.logprobs().size(), where);
                for (int j = 0; j < a.logprobs().size(); j++) {
                    assertEquals(a.logprobs().get(j), b.logprobs().get(j), 1e-4, where + ", log-prob of token " + j);
                }
                List<Streamed> x = offStreams.get(i);
                List<Streamed> y = onStreams.get(i);
                assertEquals(x.size(), y.size(), where);
                for (int j = 0; j < x.size(); j++) {
                    assertEquals(x.get(j).id(), y.get(j).id(), where);
                    assertEquals(x.get(j).delta(), y.get(j).delta(), where + ", streamed text of token " + j);
                }
            }
            SpeculationStats s = on.speculation();
            assertTrue(s.acceptedTokens() <= s.draftTokens());
            steps += s.decodeSteps();
            spec += s.speculativeSteps();
            drafts += s.drafts();
            draftTokens += s.draftTokens();
            accepted += s.acceptedTokens();
        }
        return new SpeculationStats(steps, spec, drafts, draftTokens, accepted);
    }

    private static List<GenerateRequest> requests(List<Spec> specs, List<List<Streamed>> streams) {
        List<GenerateRequest> out = new ArrayList<>();
        for (Spec s : specs) {
            List<Streamed> seen = new ArrayList<>();
            streams.add(seen);
            out.add(new GenerateRequest(s.prompt(), s.options(), s.adapter(),
                    (id, lp, delta) -> seen.add(new Streamed(id, lp, delta)), s.plan()));
        }
        return out;
    }

    private static GenerationOptions sampled(int maxNew, long seed) {
        return new GenerationOptions(maxNew, 1.0, 0, 1.0, 1.0, seed, List.of());
    }

    private static GenerationOptions greedy(int maxNew) {
        return new GenerationOptions(maxNew, 0.0, 0, 1.0, 1.0, 0L, List.of());
    }

    private static PlanContext plan(long[] prompt) {
        return PlanContext.span(prompt, 0, prompt.length, List.of("quick", "Numbers"));
    }

    @Test
    void singleRowsGreedyAndSampledWithAndWithoutCopyAwareDecoding() {
        long[] p = random.encode(PLAN);
        List<GenerationOptions> plain = List.of(greedy(30),
                new GenerationOptions(30, 0.0, 0, 1.0, 1.3, 0L, List.of()),
                sampled(30, 1), sampled(30, 2),
                new GenerationOptions(30, 0.8, 20, 0.9, 1.2, 5L, List.of()));
        List<GenerationOptions> copyAware = List.of(
                sampled(30, 1).withCopyAware(40.0, true, 0.5),
                sampled(30, 2).withCopyAware(40.0, null, null),
                greedy(30).withCopyAware(40.0, true, null),
                new GenerationOptions(30, 0.8, 20, 0.9, 1.2, 5L, List.of()).withCopyAware(40.0, true, 0.8));
        for (GenerationOptions o : plain) {
            same(random, List.of(new Spec(p, o, null, null)), 1);
            same(random, List.of(new Spec(p, o, null, plan(p))), 1);
        }
        long accepted = 0;
        for (GenerationOptions o : copyAware) {
            accepted += same(random, List.of(new Spec(p, o, null, plan(p))), 1).acceptedTokens();
        }
        // A strong copy bias makes this random model copy the plan, so drafts are accepted and the check is real.
        assertTrue(accepted > 20, "accepted draft tokens: " + accepted);
    }

    @Test
    void everyLogProbSurvivesRejectedDrafts() {
        // A moderate bias copies some spans and leaves others: drafts are accepted and rejected in one run, so the
        // cache is rolled back and then written again at the kept length, and every later log-prob would show an
        // off-by-one (same() compares each token's).
        long[] p = random.encode(PLAN);
        long accepted = 0;
        long rejected = 0;
        for (long seed = 0; seed < 6; seed++) {
            SpeculationStats s = same(random, List.of(new Spec(p, sampled(40, seed).withCopyAware(16.0, null, null),
                    null, plan(p))), 1);
            accepted += s.acceptedTokens();
            rejected += s.draftTokens() - s.acceptedTokens();
        }
        assertTrue(accepted > 0, "accepted " + accepted);
        assertTrue(rejected > 0, "rejected " + rejected);
    }

    @Test
    void mixedBatchOfPlansPromptsAndAdapters() {
        long[] p = random.encode(PLAN);
        long[] other = random.encode("The quick brown fox jumps over the lazy dog.");
        LoraAdapter a = random.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 1, false);
        LoraAdapter b = random.createAdapter("b", LoraConfig.of(2, 4, LoraConfig.MODULES), 2, false);
        try {
            List<Spec> specs = List.of(
                    new Spec(p, sampled(24, 1).withCopyAware(40.0, true, 0.5), a, plan(p)),
                    new Spec(other, sampled(20, 2), null, null),
                    new Spec(p, greedy(28).withCopyAware(40.0, null, null), b, plan(p)),
                    new Spec(p, greedy(16), a, plan(p)),
                    new Spec(other, new GenerationOptions(22, 0.9, 20, 0.9, 1.2, 3L, List.of()), b, null),
                    new Spec(p, sampled(30, 4).withCopyAware(40.0, null, null), null, plan(p)),
                    new Spec(p, greedy(12), null, null));
            // 7 requests in 4 slots: rows join as others finish, and passes mix rows with and without drafts.
            SpeculationStats s = same(random, specs, 4);
            assertTrue(s.acceptedTokens() > 0, s.toString());
            assertTrue(s.speculativeSteps() > 0, s.toString());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void eosInsideAnAcceptedDraftEndsLikeSequentialDecoding() {
        // The chain reaches EOS (id 0) as its 10th generated token; the plan is that stretch of the chain.
        int start = before(0, 10);
        long[] prompt = {before(start, 2), before(start, 1), start};
        long[] planIds = chainAfter(start, 16);
        assertEquals(0, planIds[9]);
        PlanContext plan = new PlanContext(planIds, List.of());
        Generation g = chain.run(List.of(new GenerateRequest(prompt, greedy(40), null, null, plan)), 1, 4)
                .generations().get(0);
        assertEquals("eos", g.finishReason());
        assertEquals(10, g.tokenIds().size());
        SpeculationStats s = chain.run(List.of(new GenerateRequest(prompt, greedy(40), null, null, plan)), 1, 4)
                .speculation();
        // Prefill writes token 1; pass 1 verifies plan[1..4] and adds token 6; pass 2 verifies plan[6..9], whose last
        // draft token is the EOS: two passes instead of nine.
        assertEquals(2, s.decodeSteps(), s.toString());
        assertEquals(8, s.acceptedTokens(), s.toString());
        for (long seed = 0; seed < 4; seed++) {
            same(chain, List.of(new Spec(prompt, sampled(40, seed), null, plan)), 1);
        }
        same(chain, List.of(new Spec(prompt, greedy(40), null, plan)), 1);
    }

    @Test
    void stopStringsAndMaxNewTokensInsideAcceptedDrafts() {
        int start = succ[0]; // after the EOS: the next 60 tokens hold no EOS
        long[] prompt = {start};
        long[] planIds = chainAfter(start, 60);
        for (long id : planIds) {
            assertTrue(id != 0);
        }
        PlanContext plan = new PlanContext(planIds, List.of());
        long accepted = 0;
        for (int max = 1; max <= 20; max++) {
            SpeculationStats s = same(chain, List.of(new Spec(prompt, greedy(max), null, plan)), 1);
            accepted += s.acceptedTokens();
            Generation g = chain.run(List.of(new GenerateRequest(prompt, greedy(max), null, null, plan)), 1, 8)
                    .generations().get(0);
            assertEquals(max, g.tokenIds().size());
            assertEquals("length", g.finishReason());
        }
        assertTrue(accepted > 100, "accepted " + accepted);
        // A stop string that first occurs in the text of the 8th to 20th token: it completes inside a draft.
        Generation full = chain.generateAll(List.of(new GenerateRequest(prompt, greedy(30), null, null, plan)), 1)
                .get(0);
        // (The chain runs through byte tokens, so the text holds broken characters: any two whole ones will do.)
        String text = full.text();
        String stop = null;
        for (int i = chain.decode(toLongs(full.tokenIds().subList(0, 8))).length(); i + 2 <= text.length()
                && stop == null; i++) {
            String candidate = text.substring(i, i + 2);
            if (candidate.indexOf('\uFFFD') < 0 && text.indexOf(candidate) == i) {
                stop = candidate;
            }
        }
        assertTrue(stop != null, "no stop string found in " + full.text());
        for (long seed = 0; seed < 3; seed++) {
            GenerationOptions o = new GenerationOptions(30, seed == 0 ? 0.0 : 1.0, 0, 1.0, 1.0, seed, List.of(stop));
            same(chain, List.of(new Spec(prompt, o, null, plan)), 1);
            Generation g = chain.run(List.of(new GenerateRequest(prompt, o, null, null, plan)), 1, 8)
                    .generations().get(0);
            assertEquals("stop", g.finishReason(), "stop " + stop + " in " + full.text());
        }
        // Without a plan the prompt is the lookup source: a prompt holding the chain is copied from.
        long[] chained = new long[21];
        chained[0] = start;
        System.arraycopy(planIds, 0, chained, 1, 19);
        chained[20] = start;
        SpeculationStats fromPrompt = same(chain, List.of(new Spec(chained, greedy(24), null, null),
                new Spec(chained, sampled(24, 9), null, null), new Spec(prompt, greedy(24), null, plan)), 3);
        assertTrue(fromPrompt.acceptedTokens() > 0, fromPrompt.toString());
    }

    private static long[] toLongs(List<Integer> ids) {
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }
}
