package dev.penwright.trainer.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.engine.LanguageModel;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.trainer.Tiny;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.Split;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.loop.RunControl;
import dev.penwright.trainer.style.PlanCache;
import dev.penwright.trainer.style.PromptFormat;
import dev.penwright.trainer.style.Sequences;

/** How a plan-mix run builds its training sequences (no training here: the sequences themselves). */
class PlanMixTest {
    private static final int SEQ = 160;
    private static final List<String> TEMPLATES = List.of(PromptTemplate.DEFAULT.text(), PromptFormat.COMPACT);

    @TempDir
    Path tmp;

    static List<CorpusText> texts(String prefix, int n) {
        List<CorpusText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CorpusText(prefix + "-" + i, prefix, prefix + " item " + i, "The " + prefix + " tool number "
                    + i + " reads " + (3 * i + 7) + " files. It was written in " + (1990 + i) + " by Ada.", "test",
                    "CC0-1.0"));
        }
        return out;
    }

    static BaseCorpora.Corpus corpus(String name, int n) {
        List<CorpusText> all = texts(name, n);
        return new BaseCorpora.Corpus(name, Split.TRAIN.select(all, CorpusText::id),
                Split.VALIDATION.select(all, CorpusText::id));
    }

    static BaseRecipe recipe(Path out, double mix, boolean balance) {
        return new BaseRecipe(List.of(out.resolve("unused.jsonl")), out, null, 0, SEQ, 0, 0,
                new LoopConfig(4, 0, 1e-3, 1, 0.1, 0.0, 1.0, 1, 512, 8, 0, 0, 0, 5L), false,
                JsonlReader.OnBadLine.SKIP, out.resolve("init"), mix, balance, 8, TEMPLATES);
    }

    @Test
    void planSequencesAreSftSequencesWithTheirPromptMasked() throws Exception {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 1, 3);
        ExtractivePlanner planner = new ExtractivePlanner();
        List<BaseCorpora.Corpus> corpora = List.of(corpus("big", 60), corpus("small", 12));
        try (LanguageModel model = LanguageModel.load(dir)) {
            Map<String, ContentPlan> plans = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            List<String> planNotes = new ArrayList<>();
            Map<String, PlanMixer.Mix> mixes = new PlanMixer(planner, new RunControl("job", p -> {
                        if (p.phase().equals("plan")) {
                            planNotes.add(p.message());
                        }
                    }, null)).mixes(model, corpora, recipe(tmp, 0.7, false), plans, failures);
            assertTrue(failures.isEmpty(), failures.toString());
            assertTrue(planNotes.stream().anyMatch(m -> m.startsWith("planned ")), planNotes.toString());
            Map<String, CorpusText> byId = new LinkedHashMap<>();
            corpora.forEach(c -> c.train().forEach(t -> byId.put(t.id(), t)));
            java.util.Set<String> templatesSeen = new java.util.HashSet<>();
            int ended = 0;
            for (BaseCorpora.Corpus c : corpora) {
                PlanMixer.Mix m = mixes.get(c.name());
                int total = m.raw().size() + m.plan().size();
                // Every text of the corpus gives one plan sequence at most, so the plan side is the limit here.
                assertEquals(Math.round(0.7 * total), m.plan().size(), c.name() + ": " + m.plan().size() + "/" + total);
                assertTrue(m.plan().size() <= c.train().size());
                for (Example e : m.plan()) {
                    CorpusText t = byId.get(e.id().substring("plan:".length()));
                    // Only training texts, never validation or test ones.
                    assertEquals(Split.TRAIN, Split.of(t.id()));
                    ContentPlan plan = planner.plan(PlanCache.material(t));
                    // Made as S-SFT makes them, with one of the two templates (taken in turn).
                    Example sft = null;
                    for (String template : TEMPLATES) {
                        Example s = Sequences.example(model, new PromptTemplate(template), e.id(), plan, t.text(), SEQ);
                        if (java.util.Arrays.equals(s.ids(), e.ids())) {
                            sft = s;
                            templatesSeen.add(template);
                        }
                    }
                    assertTrue(sft != null, e.id() + " is not an S-SFT sequence of its text");
                    assertEquals(sft.lossFrom(), e.lossFrom());
                    // The prompt opens with <|plan|> and closes with <|text|> (special tokens of this tokenizer).
                    assertEquals(special(model, PromptTemplate.PLAN), e.ids()[0]);
                    assertEquals(special(model, PromptTemplate.TEXT), e.ids()[e.lossFrom() - 1]);
                    if (e.ids().length < SEQ) {
                        // A text that fits ends with the end marker (a longer one is cut, as S-SFT cuts it).
                        assertEquals(special(model, PromptTemplate.END), e.ids()[e.ids().length - 1]);
                        ended++;
                    }
                    Batch b = Batch.of(List.of(e), 0);
                    for (int i = 0; i < b.mask()[0].length; i++) {
                        // Position i predicts token i + 1: scored only from the first token of the text on.
                        assertEquals(i + 1 >= e.lossFrom() ? 1f : 0f, b.mask()[0][i], "position " + i);
                    }
                }
                for (Example e : m.raw()) {
                    assertEquals(1, e.lossFrom());
                    assertEquals(Split.TRAIN, Split.of(e.id().replaceAll("#\\d+$", "")));
                }
            }
            assertEquals(Set.copyOf(TEMPLATES), templatesSeen, "both templates are used");
            assertTrue(ended > 0, "some texts fit whole");
        }
    }

    @Test
    void balanceGivesEachCorpusAboutAsManySequences() throws Exception {
        Path dir = Tiny.model(tmp.resolve("m"), Tiny.TEXTS, 32, 1, 3);
        List<BaseCorpora.Corpus> corpora = List.of(corpus("big", 80), corpus("small", 10));
        try (LanguageModel model = LanguageModel.load(dir)) {
            Map<String, PlanMixer.Mix> plain = new PlanMixer(new ExtractivePlanner(), new RunControl("job", null, null))
                    .mixes(model, corpora, recipe(tmp, 0.5, false), new LinkedHashMap<>(), new ArrayList<>());
            Map<String, PlanMixer.Mix> balanced = new PlanMixer(new ExtractivePlanner(), new RunControl("job", null, null))
                    .mixes(model, corpora, recipe(tmp, 0.5, true), new LinkedHashMap<>(), new ArrayList<>());
            int big = size(plain.get("big"));
            int small = size(plain.get("small"));
            assertTrue(big > 4 * small, big + " vs " + small);
            int bigB = size(balanced.get("big"));
            int smallB = size(balanced.get("small"));
            assertTrue(Math.abs(bigB - smallB) <= 1, bigB + " vs " + smallB);
            assertEquals(Math.round((big + small) / 2.0), bigB, 1);
            // The small corpus repeats its sequences under new ids, so the batcher keeps them apart.
            List<String> ids = new ArrayList<>();
            balanced.get("small").raw().forEach(e -> ids.add(e.id()));
            balanced.get("small").plan().forEach(e -> ids.add(e.id()));
            assertEquals(ids.size(), ids.stream().distinct().count());
        }
    }

    private static long special(LanguageModel model, String marker) {
        long[] ids = model.encode(marker, false);
        assertEquals(1, ids.length, marker + " is one token");
        return ids[0];
    }

    private static int size(PlanMixer.Mix m) {
        return m.raw().size() + m.plan().size();
    }
}
