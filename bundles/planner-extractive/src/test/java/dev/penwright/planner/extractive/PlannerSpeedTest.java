package dev.penwright.planner.extractive;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * Plans per second on corpus entries, after a warm-up; and one long document. Off by default (it measures, it does
 * not check): {@code mvn -q test -pl bundles/planner-extractive -Dtest=PlannerSpeedTest -Dpenwright.bench=true}.
 */
class PlannerSpeedTest {
    @Test
    void measure() throws Exception {
        assumeTrue(Boolean.getBoolean("penwright.bench"), "set -Dpenwright.bench=true to measure");
        ExtractivePlanner planner = new ExtractivePlanner();
        for (String file : List.of("debian-desc.jsonl.gz", "jargon.jsonl", "zh-fortunes.jsonl")) {
            List<Corpus.Entry> entries = Corpus.sample(file, file.startsWith("debian") ? 27 : 1, 2000);
            for (Corpus.Entry e : entries.subList(0, 300)) {
                planner.plan(Material.ofArticle(e.text()));
            }
            long chars = 0;
            long cpuStart = cpu();
            long start = System.nanoTime();
            for (Corpus.Entry e : entries) {
                ContentPlan plan = planner.plan(Material.ofArticle(e.text()));
                assertFalse(plan.keyFacts().isEmpty());
                chars += e.text().length();
            }
            double s = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (cpu() - cpuStart) / 1e9;
            // CPU time too: the machine is shared, and wall time then says more about the neighbours.
            System.out.printf("%-22s %5d plans, %5.0f chars/plan: %6.0f plans/s wall (%5.2f s), %6.0f plans per CPU "
                    + "second, %5.2f MB per CPU second%n", file, entries.size(), (double) chars / entries.size(),
                    entries.size() / s, s, entries.size() / cpuSeconds, chars / cpuSeconds / 1e6);
        }
        StringBuilder big = new StringBuilder();
        for (Corpus.Entry e : Corpus.sample("jargon.jsonl", 1, 2174)) {
            big.append(e.text()).append("\n\n");
        }
        long start = System.nanoTime();
        long cpuStart = cpu();
        ContentPlan plan = planner.plan(Material.ofArticle(big.toString()));
        System.out.printf("whole Jargon File as one article (%d chars): %.2f s wall, %.2f s CPU, %d keyFacts, "
                + "draft %d chars%n", big.length(), (System.nanoTime() - start) / 1e9, (cpu() - cpuStart) / 1e9,
                plan.keyFacts().size(), plan.neutralDraft().length());
    }

    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
