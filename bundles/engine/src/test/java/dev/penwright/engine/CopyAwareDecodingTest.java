package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.StyleVocabulary;

/** Copy-aware decoding on a real (tiny, random) model with a real byte-level BPE tokenizer. */
class CopyAwareDecodingTest {
    @TempDir
    static Path tmp;
    static LanguageModel model;

    static final String PLAN = "Debian ships 42 packages; the hacker keeps 要有礼貌 and the lazy dog sleeps.";
    static final List<String> VOCABULARY = List.of("quick", "Numbers", "3", "项");

    @BeforeAll
    static void load() throws Exception {
        // Untied: a random tied model's logits favour repeating the last token; this one spreads its mass widely,
        // so it writes capitals, digits and Han characters (and everything else) unless guarded.
        model = LanguageModel.load(TinyModels.write(tmp.resolve("m"), "llama", false, 3));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationOptions sampled(int maxNew, long seed, Double copyBias, Boolean guard, Double coverage,
                                             List<String> stop) {
        return new GenerationOptions(maxNew, 1.0, 0, 1.0, 1.0, seed, stop, copyBias, guard, coverage);
    }

    private static long[] prompt() {
        return model.encode(PLAN);
    }

    private static PlanContext plan(long[] prompt) {
        return PlanContext.span(prompt, 0, prompt.length, VOCABULARY);
    }

    /** Guarded units of a text the plan and vocabulary do not allow (a cut last word may be a prefix of one). */
    private static List<String> forbidden(String text, boolean endedByLength) {
        Set<String> allowed = new HashSet<>();
        List<String> sources = new ArrayList<>(StyleVocabulary.units(PLAN));
        sources.addAll(VOCABULARY);
        for (String u : sources) {
            allowed.add(u);
            if (Character.isLowerCase(u.codePointAt(0))) {
                allowed.add(u.substring(0, 1).toUpperCase(Locale.ROOT) + u.substring(1));
            }
        }
        if (endedByLength) {
            // An incomplete character at the cut decodes as U+FFFD: the word before it may still be unfinished.
            while (text.endsWith("\uFFFD")) {
                text = text.substring(0, text.length() - 1);
            }
        }
        List<String> units = StyleVocabulary.units(text);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            String u = units.get(i);
            boolean last = i == units.size() - 1 && endedByLength && !text.isEmpty()
                    && StyleVocabulary.isWordChar(text.codePointBefore(text.length()));
            boolean ok = !StyleVocabulary.isGuarded(u) || allowed.contains(u)
                    || (last && allowed.stream().anyMatch(a -> a.startsWith(u)));
            if (!ok) {
                bad.add(u);
            }
        }
        return bad;
    }

    @Test
    void factGuardNeverWritesNumbersNamesOrHanOutsidePlanAndVocabulary() {
        long[] p = prompt();
        int unguardedViolations = 0;
        for (long seed = 0; seed < 24; seed++) {
            Generation free = model.generate(new GenerateRequest(p, sampled(40, seed, null, null, null, List.of()),
                    null, null, plan(p)));
            unguardedViolations += forbidden(free.text(), free.finishReason().equals("length")).size();
            Generation guarded = model.generate(new GenerateRequest(p, sampled(40, seed, null, true, null, List.of()),
                    null, null, plan(p)));
            assertEquals(List.of(), forbidden(guarded.text(), guarded.finishReason().equals("length")),
                    "seed " + seed + ": " + guarded.text());
            String whole = guarded.text().replaceAll("\uFFFD+$", "");
            assertTrue(whole.indexOf('\uFFFD') < 0, "seed " + seed + " broke a character: " + guarded.text());
        }
        // The check above can fail: the same model unguarded writes such words.
        assertTrue(unguardedViolations > 10, "unguarded violations: " + unguardedViolations);
    }

    @Test
    void greedyFactGuardTakesTheBestAllowedToken() {
        long[] p = prompt();
        for (int max : new int[] {30}) {
            Generation g = model.generate(new GenerateRequest(p,
                    new GenerationOptions(max, 0.0, 0, 1.0, 1.0, 0L, List.of(), null, true, null), null, null, plan(p)));
            assertEquals(List.of(), forbidden(g.text(), g.finishReason().equals("length")), g.text());
        }
    }

    @Test
    void endIsHeldUntilCoverageAndAlwaysComesAtTheCap() {
        // A stop string the model writes almost at once: without the gate texts end within a few tokens.
        String planText = "fox dog";
        long[] planIds = model.encode(planText, false);
        long[] p = model.encode(planText);
        PlanContext plan = new PlanContext(planIds, List.of());
        int cap = 2 * planIds.length;
        int freeTokens = 0;
        int heldTokens = 0;
        for (long seed = 0; seed < 12; seed++) {
            Generation free = model.generate(new GenerateRequest(p, sampled(80, seed, null, null, null, List.of("e")),
                    null, null, plan));
            Generation held = model.generate(new GenerateRequest(p, sampled(80, seed, null, null, 1.0, List.of("e")),
                    null, null, plan));
            freeTokens += free.tokenIds().size();
            heldTokens += held.tokenIds().size();
            Set<String> words = new HashSet<>(StyleVocabulary.units(held.text().toLowerCase(Locale.ROOT)));
            boolean covered = words.contains("fox") && words.contains("dog");
            assertTrue(covered || held.tokenIds().size() >= cap || held.finishReason().equals("length"),
                    "seed " + seed + " ended (" + held.finishReason() + ") after " + held.tokenIds().size()
                            + " tokens without coverage: " + held.text());
            assertTrue(!held.finishReason().equals("length"), "the cap of " + cap + " tokens must let it end: "
                    + held.text());
        }
        assertTrue(heldTokens > freeTokens + 12, "held " + heldTokens + " vs free " + freeTokens);
    }

    @Test
    void copyBiasRaisesTheCopiedFraction() {
        long[] p = prompt();
        Set<Long> planBigrams = new HashSet<>();
        for (int i = 1; i < p.length; i++) {
            planBigrams.add(p[i - 1] * 100_000 + p[i]);
        }
        int[] copied = new int[2];
        int[] total = new int[2];
        // A model this random spreads its mass over the whole vocabulary, so the bias must be strong to show.
        double[] biases = {0.0, 40.0};
        for (int b = 0; b < 2; b++) {
            for (long seed = 0; seed < 16; seed++) {
                Generation g = model.generate(new GenerateRequest(p, sampled(30, seed, biases[b], null, null, List.of()),
                        null, null, plan(p)));
                List<Integer> ids = g.tokenIds();
                for (int i = 1; i < ids.size(); i++) {
                    total[b]++;
                    if (planBigrams.contains((long) ids.get(i - 1) * 100_000 + ids.get(i))) {
                        copied[b]++;
                    }
                }
            }
        }
        double off = copied[0] / (double) total[0];
        double on = copied[1] / (double) total[1];
        assertTrue(on > off + 0.2, "copied fraction " + off + " without the bias, " + on + " with it");
    }

    @Test
    void batchedRowsWithDifferentOptionsEqualTheirSingleRuns() {
        long[] p = prompt();
        List<GenerateRequest> requests = List.of(
                new GenerateRequest(p, sampled(24, 1, null, null, null, List.of()), null, null, plan(p)),
                new GenerateRequest(p, sampled(24, 2, 3.0, null, null, List.of()), null, null, plan(p)),
                new GenerateRequest(p, sampled(24, 3, null, true, null, List.of()), null, null, plan(p)),
                new GenerateRequest(p, sampled(24, 4, 2.0, true, 0.8, List.of()), null, null, plan(p)),
                new GenerateRequest(p, new GenerationOptions(24, 0.0, 0, 1.0, 1.0, 0L, List.of(), 3.0, true, 0.5),
                        null, null, plan(p)));
        List<Generation> batched = model.generateAll(requests, 5);
        for (int i = 0; i < requests.size(); i++) {
            Generation alone = model.generate(requests.get(i));
            assertEquals(alone.tokenIds(), batched.get(i).tokenIds(), "row " + i);
        }
    }

    @Test
    void optionsOffGiveExactlyTheOutputWithoutThem() {
        long[] p = prompt();
        for (long seed = 0; seed < 6; seed++) {
            GenerationOptions plain = new GenerationOptions(30, 0.9, 20, 0.9, 1.2, seed, List.of());
            Generation without = model.generate(new GenerateRequest(p, plain, null));
            Generation off = model.generate(new GenerateRequest(p, plain.withCopyAware(0.0, false, 0.0), null, null,
                    plan(p)));
            Generation unset = model.generate(new GenerateRequest(p, plain, null, null, plan(p)));
            assertEquals(without.tokenIds(), off.tokenIds());
            assertEquals(without.tokenIds(), unset.tokenIds());
            assertEquals(without.logprobs(), off.logprobs());
        }
        Generation greedy = model.generate(new GenerateRequest(p, GenerationOptions.greedy(20), null));
        Generation greedyOff = model.generate(new GenerateRequest(p, GenerationOptions.greedy(20)
                .withCopyAware(0.0, false, 0.0), null, null, plan(p)));
        assertEquals(greedy.tokenIds(), greedyOff.tokenIds());
    }

    @Test
    void planContextRejectsAnEmptyPlanAndABadSpan() {
        long[] p = prompt();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PlanContext(new long[0], List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PlanContext.span(p, 3, p.length + 1, List.of()));
        assertArrayEquals(java.util.Arrays.copyOfRange(p, 1, 3), PlanContext.span(p, 1, 3, null).planIds());
    }
}
