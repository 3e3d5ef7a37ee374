package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.VerbatimBlock;

class HallucinationCheckerTest {
    private final HallucinationChecker checker = new HallucinationChecker();

    private static final String SOURCE = "zstd is a fast lossless compression algorithm by Yann Collet. "
            + "It compresses at 500 MB/s per core and was released in 2016.";
    private static final ContentPlan PLAN = new ContentPlan("zstd", "A fast compressor.",
            List.of("compresses at 500 MB/s per core", "released in 2016", "written by Yann Collet"),
            SOURCE, "en", "test", null);

    @Test
    void catchesAnInventedNumber() {
        HallucinationReport.Item item = checker.check("1", "zstd, by Yann Collet, compresses at 500 MB/s per core. "
                + "Released in 2016, it is used by 7000 projects.", Material.ofArticle(SOURCE), PLAN);
        assertTrue(item.factualHallucination());
        assertEquals(List.of("7000"), item.unsupported().stream().map(Fact::text).toList());
        assertFalse(item.faithfulnessHallucination(), item.toString());
    }

    @Test
    void faithfulOutputIsClean() {
        HallucinationReport.Item item = checker.check("2", "Yann Collet's zstd (2016) squeezes data at 500 MB/s "
                + "per core.", Material.ofArticle(SOURCE), PLAN);
        assertFalse(item.factualHallucination(), item.toString());
        assertFalse(item.faithfulnessHallucination(), item.toString());
    }

    @Test
    void contradictionAndDropAreFaithfulnessHallucinations() {
        HallucinationReport.Item item = checker.check("3", "zstd compresses at 800 MB/s per core.",
                Material.ofArticle(SOURCE), PLAN);
        assertTrue(item.faithfulnessHallucination());
        assertEquals(1, item.contradicted().size(), item.toString());
        assertEquals("500 MB", item.contradicted().get(0).expected());
        assertEquals("800 MB", item.contradicted().get(0).found());
        assertEquals(List.of("released in 2016", "written by Yann Collet"), item.dropped());
        // 800 is also a fact the material lacks.
        assertTrue(item.factualHallucination());
    }

    @Test
    void aQuotedChineseTitleWrappedOverTwoLinesIsStillKept() {
        ContentPlan plan = new ContentPlan("", "", List.of("参见《行为准则》第二条"), "", "zh", "t", null);
        assertFalse(checker.check("w", "请参见《行为\n准则》第二条。", null, plan).faithfulnessHallucination(),
                "a line break inside CJK text is layout");
        assertTrue(checker.check("x", "请参见《准则》第二条。", null, plan).faithfulnessHallucination());
    }

    @Test
    void proseKeyFactsUseContentWordRecall() {
        ContentPlan plan = new ContentPlan("", "", List.of("the package provides command line tools"), "", "en",
                "t", null);
        assertFalse(checker.check("a", "Command line tools come in this package.", null, plan)
                .faithfulnessHallucination());
        assertTrue(checker.check("b", "A graphical editor.", null, plan).faithfulnessHallucination());
    }

    @Test
    void aNumberedListsNumbersAreThePlans() {
        String draft = "To reset the password, boot from a rescue CD. Mount the root partition. Clear the field.";
        List<NumberedItem> steps = List.of(new NumberedItem(1, "Boot from a rescue CD."),
                new NumberedItem(2, "Mount the root partition."), new NumberedItem(3, "Clear the field."));
        String numbered = "To reset the password:\n1. Boot from a rescue CD.\n2. Mount the root partition.\n"
                + "3. Clear the field.";
        ContentPlan listed = new ContentPlan("", "", List.of(), draft, "en", "t", null, steps, List.of());
        assertEquals(List.of(), checker.check("n1", numbered, null, listed).unsupported());
        // The same text against a plan that does not say it was a list: its numbers are the text's own.
        ContentPlan prose = new ContentPlan("", "", List.of(), draft, "en", "t", null);
        assertEquals(List.of("1", "2", "3"), checker.check("n2", numbered, null, prose).unsupported().stream()
                .map(Fact::text).toList());
    }

    @Test
    void aVerbatimBlocksFactsAreThePlans() {
        String draft = "Run date with another locale.";
        String styled = "Run date with another locale.\n\n$ LANG=fr_FR.UTF-8 date\ndimanche 3 juin 2007";
        ContentPlan kept = new ContentPlan("", "", List.of(), draft, "en", "t", null, List.of(),
                List.of(new VerbatimBlock("Run date with another locale.", "$ LANG=fr_FR.UTF-8 date\ndimanche 3 juin 2007")));
        assertEquals(List.of(), checker.check("v1", styled, null, kept).unsupported());
        ContentPlan proseOnly = new ContentPlan("", "", List.of(), draft, "en", "t", null);
        assertFalse(checker.check("v2", styled, null, proseOnly).unsupported().isEmpty());
    }

    @Test
    void chineseNumbers() {
        String source = "此诗作于公元七五九年，共二十八字。";
        ContentPlan plan = new ContentPlan("", "", List.of("共二十八字"), source, "zh", "t", null);
        HallucinationReport.Item invented = checker.check("z1", "这首诗作于759年，共二十八字，流传了一千年。",
                Material.ofArticle(source), plan);
        // 759年 is supported by 七五九年 (digit by digit); 一千年 is not in the source.
        assertEquals(List.of("一千年"), invented.unsupported().stream().map(Fact::text).toList());
        assertFalse(invented.faithfulnessHallucination());
        HallucinationReport.Item contradicted = checker.check("z2", "此诗共三十字。", Material.ofArticle(source), plan);
        assertTrue(contradicted.faithfulnessHallucination());
        assertEquals("三十字".substring(0, 2), contradicted.contradicted().get(0).found().substring(0, 2));
    }

    @Test
    void ratesOverASetOfOutputs() {
        HallucinationReport report = checker.check(List.of("1", "2", "3", "4"),
                List.of("zstd compresses at 500 MB/s per core, released in 2016 by Yann Collet.",
                        "zstd compresses at 500 MB/s per core, released in 2016 by Yann Collet, 9 GB RAM.",
                        "zstd compresses at 900 MB/s per core.",
                        "Nothing to check here."),
                java.util.Arrays.asList(Material.ofArticle(SOURCE), Material.ofArticle(SOURCE),
                        Material.ofArticle(SOURCE), null),
                java.util.Arrays.asList(PLAN, PLAN, PLAN, null));
        assertEquals(3, report.factualChecked());
        assertEquals(3, report.faithfulnessChecked());
        assertEquals(200.0 / 3, report.factualRate(), 1e-9); // items 2 (9 GB) and 3 (900)
        assertEquals(100.0 / 3, report.faithfulnessHallucinationRate(), 1e-9); // item 3
    }
}
