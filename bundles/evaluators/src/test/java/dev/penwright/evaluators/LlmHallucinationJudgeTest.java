package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

class LlmHallucinationJudgeTest {
    /** Answers from a script, and keeps what it was asked. */
    static final class Scripted implements LlmEndpoint {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> asked = new ArrayList<>();
        public String id() { return "judge"; }
        public String model() { return "m"; }
        public String chat(String system, String user, int maxTokens) throws IOException {
            asked.add(user);
            String a = answers.poll();
            if (a == null) {
                throw new IOException("endpoint down");
            }
            return a;
        }
    }

    private static final ContentPlan PLAN = new ContentPlan("Kettle", "", List.of("boils 1.7 litres", "costs 20 EUR"),
            "", "en", "t", null);
    private static final Material MATERIAL = Material.ofArticle("The kettle boils 1.7 litres and costs 20 EUR.");

    @Test
    void ratesCountJudgedOutputsAndTheAnswerIsReadWhereverItsJsonIs() {
        Scripted llm = new Scripted();
        llm.answers.add("{\"unsupported\": [], \"dropped\": [], \"contradicted\": []}");
        llm.answers.add("Here:\n```json\n{\"unsupported\": [\"made in 1999\"], \"dropped\": [], "
                + "\"contradicted\": [\"costs 25 EUR\"]}\n```");
        llm.answers.add("I cannot tell.");
        LlmHallucinationJudge judge = new LlmHallucinationJudge(llm);
        LlmHallucinationJudge.Report r = judge.judge(List.of("a", "b", "c", "d", "e"),
                List.of("The kettle boils 1.7 litres for 20 EUR.", "Made in 1999, it costs 25 EUR.", "Hm.", "", "x"),
                List.of(MATERIAL, MATERIAL, MATERIAL, MATERIAL, MATERIAL), List.of(PLAN, PLAN, PLAN, PLAN, PLAN));
        // a: clean; b: both kinds; c: no JSON (unjudged); d: empty output, judged without a call (drops both facts);
        // e: the endpoint fails (unjudged).
        assertEquals(3, r.judged());
        assertEquals(2, r.unjudged());
        assertEquals(100.0 / 3, r.factualHallucinationRate(), 1e-9);
        assertEquals(200.0 / 3, r.faithfulnessHallucinationRate(), 1e-9);
        assertEquals(List.of("made in 1999"), r.verdicts().get(1).unsupported());
        assertEquals("the answer holds no JSON object", r.verdicts().get(2).problem());
        assertEquals(PLAN.keyFacts(), r.verdicts().get(3).dropped());
        assertFalse(r.verdicts().get(4).judged());
        assertEquals("endpoint down", r.verdicts().get(4).problem());
        assertEquals(4, llm.asked.size(), "the empty output needs no call");
        String prompt = llm.asked.get(0);
        assertTrue(prompt.startsWith("SOURCE MATERIAL\nThe kettle boils 1.7 litres and costs 20 EUR.\n\nKEY FACTS OF THE"
                + " PLAN\n- boils 1.7 litres\n- costs 20 EUR\n\nTEXT TO CHECK\nThe kettle boils 1.7 litres for 20 EUR."),
                prompt);
        assertTrue(prompt.endsWith("{\"unsupported\": [...], \"dropped\": [...], \"contradicted\": [...]}"));
        assertEquals("judge:llm|endpoint:judge|model:m|impl:penwright", judge.signature());
    }

    @Test
    void aMissingArrayOrBrokenJsonIsNotAVerdict() {
        assertFalse(LlmHallucinationJudge.parse("x", "{\"unsupported\": []}").judged());
        assertFalse(LlmHallucinationJudge.parse("x", "{\"unsupported\": [, }").judged());
        assertTrue(LlmHallucinationJudge.parse("x", "{\"unsupported\":[],\"dropped\":[\"a\"],\"contradicted\":[]}")
                .faithfulnessHallucination());
    }
}
