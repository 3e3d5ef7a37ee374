package dev.penwright.planner.extractive;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

@Tag("manual")
class PrintPlansTest {
    @Test
    void print() throws Exception {
        ExtractivePlanner p = new ExtractivePlanner();
        for (String f : new String[] {"debian-desc.jsonl.gz", "jargon.jsonl", "zh-fortunes.jsonl"}) {
            for (Corpus.Entry e : Corpus.sample(f, f.startsWith("deb") ? 9001 : 397, 6)) {
                ContentPlan plan = p.plan(Material.ofArticle(e.text()));
                System.out.println("=== " + e.id() + " | " + e.title());
                System.out.println(e.text());
                System.out.println("--- title: " + plan.title() + " [" + plan.language() + "]");
                System.out.println("--- summary: " + plan.summary());
                plan.keyFacts().forEach(k -> System.out.println("  * " + k));
                System.out.println("--- draft: " + plan.neutralDraft());
            }
        }
    }
}
