package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/** Properties that must hold on real text: a text never hallucinates against itself; another text usually does. */
class HallucinationOnCorporaTest {
    private final HallucinationChecker checker = new HallucinationChecker();

    @Test
    void aTextIsFaithfulToItselfAndAnotherTextIsNot() throws Exception {
        for (String file : CorpusSamples.FILES) {
            List<CorpusSamples.Sample> samples = CorpusSamples.split(file, 0, 100).test();
            List<HallucinationReport.Item> self = new ArrayList<>();
            List<HallucinationReport.Item> swapped = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) {
                CorpusSamples.Sample s = samples.get(i);
                String other = samples.get((i + 1) % samples.size()).text();
                // A plan as a planner would write it: the first two lines of the text as key facts.
                List<String> keyFacts = s.text().lines().filter(l -> !l.isBlank()).limit(2).toList();
                ContentPlan plan = new ContentPlan(s.title(), "", keyFacts, s.text(), "", "test", null);
                self.add(checker.check(s.id(), s.text(), Material.ofArticle(s.text()), plan));
                swapped.add(checker.check(s.id(), other, Material.ofArticle(s.text()), plan));
            }
            HallucinationReport selfReport = HallucinationChecker.summarise(self);
            HallucinationReport swappedReport = HallucinationChecker.summarise(swapped);
            System.out.printf(Locale.ROOT, "hallucination %s: self factual %.1f faithfulness %.1f; swapped factual "
                    + "%.1f faithfulness %.1f (n=%d)%n", file, selfReport.factualRate(), selfReport.faithfulnessHallucinationRate(),
                    swappedReport.factualRate(), swappedReport.faithfulnessHallucinationRate(), samples.size());
            assertEquals(0.0, selfReport.factualRate(), self.stream().filter(HallucinationReport.Item::factualHallucination)
                    .findFirst().map(Object::toString).orElse(""));
            assertEquals(0.0, selfReport.faithfulnessHallucinationRate(), self.stream()
                    .filter(HallucinationReport.Item::faithfulnessHallucination).findFirst().map(Object::toString)
                    .orElse(""));
            assertTrue(swappedReport.faithfulnessHallucinationRate() > 80, file + ": " + swappedReport.faithfulnessHallucinationRate());
        }
    }
}
