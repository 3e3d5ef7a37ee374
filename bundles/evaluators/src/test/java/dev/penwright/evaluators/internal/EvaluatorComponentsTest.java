package dev.penwright.evaluators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;

/** The DS components' own logic, called directly (SCR would call the same bind methods). */
class EvaluatorComponentsTest {
    /** A style pack held in memory: the StylePack contract needs no bundle to be honoured. */
    private record MemoryPack(String id, String version, List<Exemplar> exemplars) implements StylePack {
        @Override
        public StyleDescriptor descriptor() {
            return new StyleDescriptor(id, id, "en", "", "base", "fp", "{draft}", null, "test", "test");
        }

        @Override
        public Path directory() {
            return Path.of(".");
        }
    }

    private static MemoryPack pack(String id, String version, String... texts) {
        List<Exemplar> ex = new java.util.ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            ex.add(new Exemplar(id + i, "", texts[i]));
        }
        return new MemoryPack(id, version, ex);
    }

    private static EvaluationInput styled(String text, String style) {
        return new EvaluationInput("x", text, null, null, null, style, "");
    }

    /** A pack's score is its exemplars against themselves without form: another pack coming or going changes nothing. */
    @Test
    void aStyleScoreDependsOnItsOwnPackOnly() {
        StyleEvaluator style = new StyleEvaluator();
        MemoryPack verse = pack("verse", "1.0.0", "The rain comes down\n  on roofs of tin,\n    and all is still.",
                "A fox at dawn\n  crosses the snow,\n    and no one sees.", "Old pond, a frog\n  jumps in:\n    the sound of water.");
        assertFalse(style.accepts(styled("anything", "verse")), "no pack, no score");
        style.addPack(verse);
        assertTrue(style.accepts(styled("anything", "verse")), "one pack is enough: it is contrasted with its own plain text");
        String laidOut = "The wind at night\n  moves the pines,\n    and then it stops.";
        String plain = "The wind at night moves the pines, and then it stops.";
        Evaluation alone = style.evaluate(List.of(styled(laidOut, "verse"), styled(plain, "verse"), styled("x", null)));
        double styled = alone.perItem().get(0).get(0).value();
        double flat = alone.perItem().get(1).get(0).value();
        assertTrue(styled > 50 && flat < 50, "laid out " + styled + ", plain " + flat);
        assertEquals(List.of(), alone.perItem().get(2));
        assertEquals("styleScore", alone.corpus().get(0).name());
        assertTrue(alone.corpus().get(0).signature().contains("classes:verse,(form removed)"),
                alone.corpus().get(0).signature());
        var first = style.classifier("verse");
        assertSame(first, style.classifier("verse"), "trained once a pack version");

        MemoryPack poem = pack("poem", "1.0.0", "床前明月光，疑是地上霜。", "白日依山尽，黄河入海流。", "春眠不觉晓，处处闻啼鸟。");
        style.addPack(poem);
        assertEquals(styled, style.evaluate(List.of(styled(laidOut, "verse"))).perItem().get(0).get(0).value(),
                "another pack came: the score stayed");
        style.removePack(poem);
        assertEquals(styled, style.evaluate(List.of(styled(laidOut, "verse"))).perItem().get(0).get(0).value());
        assertFalse(style.accepts(styled("举头望明月", "poem")));
        style.addPack(pack("verse", "1.1.0", "One line only."));
        assertNotSame(first, style.classifier("verse"), "a new version of the pack is a new classifier");
    }

    @Test
    void bleuAndRougeEvaluators() {
        List<EvaluationInput> inputs = List.of(
                new EvaluationInput("1", "the cat sat on the mat", "the cat is on the mat", null, null, null, "en"),
                new EvaluationInput("2", "no reference here", null, null, null, null, "en"));
        Evaluation bleu = new Bleu4Evaluator().evaluate(inputs);
        assertEquals(37.99, bleu.corpus().get(0).value(), 0.005);
        assertEquals(List.of(), bleu.perItem().get(1));
        Evaluation rouge = new RougeEvaluator().evaluate(inputs);
        assertEquals(List.of("rougeL", "rougeLsum"), rouge.corpus().stream().map(s -> s.name()).toList());
        // LCS of the cat sat on the mat / the cat is on the mat: the cat on the mat = 5 of 6.
        assertEquals(100 * 5.0 / 6, rouge.corpus().get(0).value(), 1e-9);
    }

    @Test
    void hallucinationEvaluator() {
        ContentPlan plan = new ContentPlan("", "", List.of("costs 5 euros"), "It costs 5 euros.", "en", "t", null);
        Evaluation e = new HallucinationEvaluator().evaluate(List.of(
                new EvaluationInput("ok", "It costs 5 euros.", null, plan, Material.ofArticle("It costs 5 euros."),
                        null, "en"),
                new EvaluationInput("bad", "It costs 8 euros.", null, plan, Material.ofArticle("It costs 5 euros."),
                        null, "en")));
        assertEquals(List.of("factualHallucination", "faithfulnessHallucination"),
                e.corpus().stream().map(s -> s.name()).toList());
        assertEquals(50.0, e.corpus().get(0).value(), 1e-9);
        assertEquals(50.0, e.corpus().get(1).value(), 1e-9);
        assertTrue(e.perItem().get(1).get(0).signature().contains("unsupported:8 euros"),
                e.perItem().get(1).get(0).signature());
        assertTrue(e.perItem().get(1).get(1).signature().contains("contradicted:5 euros->8 euros"),
                e.perItem().get(1).get(1).signature());
    }

    @Test
    void llmJudgeEvaluatorGivesItsOwnRatesAndSkipsOutputsItCouldNotJudge() {
        ContentPlan plan = new ContentPlan("", "", List.of("costs 5 euros"), "It costs 5 euros.", "en", "t", null);
        java.util.Iterator<String> answers = List.of(
                "{\"unsupported\": [\"8 euros\"], \"dropped\": [], \"contradicted\": [\"costs 5 euros\"]}",
                "no idea").iterator();
        dev.penwright.api.llm.LlmEndpoint endpoint = new dev.penwright.api.llm.LlmEndpoint() {
            public String id() { return "gpt"; }
            public String model() { return "m"; }
            public String chat(String system, String user, int maxTokens) { return answers.next(); }
        };
        Evaluation e = new HallucinationJudgeEvaluator(endpoint).evaluate(List.of(
                new EvaluationInput("bad", "It costs 8 euros.", null, plan, Material.ofArticle("It costs 5 euros."),
                        null, "en"),
                new EvaluationInput("odd", "Hm.", null, plan, Material.ofArticle("It costs 5 euros."), null, "en"),
                new EvaluationInput("none", "Text.", null, null, null, null, "en")));
        assertEquals(List.of("factualHallucinationJudge", "faithfulnessHallucinationJudge"),
                e.corpus().stream().map(s -> s.name()).toList());
        assertEquals(100.0, e.corpus().get(0).value(), 1e-9);
        assertEquals(100.0, e.corpus().get(1).value(), 1e-9);
        assertTrue(e.corpus().get(0).signature().endsWith("|n:1|unjudged:1"), e.corpus().get(0).signature());
        assertTrue(e.perItem().get(0).get(1).signature().contains("contradicted:costs 5 euros"));
        assertTrue(e.perItem().get(1).isEmpty() && e.perItem().get(2).isEmpty());
    }
}
