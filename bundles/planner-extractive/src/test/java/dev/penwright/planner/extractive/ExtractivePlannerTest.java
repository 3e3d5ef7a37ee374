package dev.penwright.planner.extractive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.plan.VerbatimBlock;

class ExtractivePlannerTest {
    private final ExtractivePlanner planner = new ExtractivePlanner();

    private static boolean anyContains(List<String> statements, String fragment) {
        return statements.stream().anyMatch(s -> s.contains(fragment));
    }

    @Test
    void englishBriefKeepsNumbersDatesNamesAndQuotes() throws Exception {
        String brief = """
                Announce the Penwright 1.0 release. Penwright was released on November 25, 2026 by the Acme
                Corporation in Berlin. It renders 3 styles at 120 tokens per second on 2 cores and needs 16 GiB
                of memory. The team calls it "style as a service". Dr. Ada Lovelace led the 12-week project, which
                cost $40,000 (a modest sum). Wow, it is fast!
                """;
        ContentPlan plan = planner.plan(new Material(brief, List.of(), "", ""));
        assertEquals("en", plan.language());
        assertEquals("extractive", plan.plannerId());
        assertEquals("Announce the Penwright 1.0 release", plan.title());
        List<String> facts = plan.keyFacts();
        for (String f : List.of("November 25, 2026", "Acme Corporation", "Berlin", "16 GiB", "\"style as a service\"",
                "Ada Lovelace", "12-week", "$40,000")) {
            assertTrue(anyContains(facts, f), () -> f + " missing from " + facts);
        }
        // "Dr." does not end a sentence.
        assertTrue(anyContains(facts, "Dr. Ada Lovelace led the 12-week project"), facts::toString);
        assertFalse(plan.neutralDraft().contains("!"), plan.neutralDraft());
        // The aside is content: it leaves its parentheses and follows its sentence as a sentence of its own.
        assertTrue(plan.neutralDraft().contains("which cost $40,000. A modest sum. It is fast."), plan.neutralDraft());
        assertFalse(plan.neutralDraft().startsWith("Wow"), plan.neutralDraft());
        assertFalse(plan.summary().isBlank());
    }

    @Test
    void chineseSplitsOnFullWidthStopsAndKeepsNumerals() throws Exception {
        String text = """
                2024年3月5日，北京大学发布了第三版报告！报告共有一百二十页，分为十二章。
                作者在《自然》杂志上说：“数据是新的石油。”这份报告耗时18个月完成。
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(text));
        assertEquals("zh", plan.language());
        List<String> facts = plan.keyFacts();
        for (String f : List.of("2024年3月5日", "第三版", "一百二十页", "十二章", "《自然》", "\"数据是新的石油。\"", "18个月")) {
            assertTrue(anyContains(facts, f) || plan.neutralDraft().contains(f), () -> f + " missing from " + plan);
        }
        assertFalse(plan.neutralDraft().contains("！"), plan.neutralDraft());
        // Three sentences ended by 。！ and one inside a quotation: no statement holds two of them.
        assertTrue(facts.stream().noneMatch(s -> s.contains("报告！") || s.contains("报告。报告")), facts::toString);
    }

    @Test
    void aNumberedListKeepsItsOrderBesideTheProseDraft() throws Exception {
        String text = """
                Resetting the root password

                If you can reach the disk, use the following steps.

                 1. Boot from a rescue CD.

                 2. Mount the root partition
                    read-write. Use the rescue shell.

                 3. Clear the password field.

                3. Nothing else changes. See section 2.1 for the details.
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(text));
        assertEquals("Resetting the root password. If you can reach the disk, use the following steps. Boot from a rescue"
                + " CD. Mount the root partition read-write. Use the rescue shell. Clear the password field. Nothing else"
                + " changes. See section 2.1 for the details.", plan.neutralDraft());
        // The lone "3." after the list is a paragraph's number, not a fourth step.
        assertEquals(List.of(new NumberedItem(1, "Boot from a rescue CD."),
                // An item's text runs to its last sentence, so that a styler knows where the list ends.
                new NumberedItem(2, "Mount the root partition read-write. Use the rescue shell."),
                new NumberedItem(3, "Clear the password field.")), plan.numberedItems());
        for (NumberedItem item : plan.numberedItems()) {
            assertTrue(plan.neutralDraft().contains(item.text()), item::toString);
        }
        assertEquals(List.of(), planner.plan(Material.ofArticle("- one thing\n- another thing\n")).numberedItems());
        // After a lead-in, a numbered list is one sentence of steps: no "and" before the last, each number kept aside.
        ContentPlan steps = planner.plan(Material.ofArticle("It reads eight formats.\nFiles may be compressed with:\n\n 1. gzip, typically .gz\n"
                + " 2. bzip2, typically .bz2\n 3. zip, typically .zip\n"));
        assertEquals("It reads eight formats. Files may be compressed with: gzip, typically .gz; bzip2, typically .bz2;"
                + " zip, typically .zip.",
                steps.neutralDraft());
        assertEquals(List.of(new NumberedItem(1, "gzip, typically .gz"), new NumberedItem(2, "bzip2, typically .bz2"),
                new NumberedItem(3, "zip, typically .zip")), steps.numberedItems());
    }

    @Test
    void aShellSessionStaysOutOfTheDraftAndIsKeptVerbatimAfterItsSentence() throws Exception {
        String text = """
                Run date with another locale.

                    $ date
                    Sun Jun  3 10:27:39 CST 2007
                    $ LANG=fr_FR.UTF-8 date
                    dimanche 3 juin 2007, 10:27:33 (UTC+0800)

                The second command prints French. Export it:

                    $ export LANG
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(text));
        assertEquals("Run date with another locale. The second command prints French. Export it.",
                plan.neutralDraft());
        assertEquals(List.of(new VerbatimBlock("Run date with another locale.", """
                        $ date
                        Sun Jun  3 10:27:39 CST 2007
                        $ LANG=fr_FR.UTF-8 date
                        dimanche 3 juin 2007, 10:27:33 (UTC+0800)"""),
                new VerbatimBlock("Export it", "$ export LANG")), plan.verbatimBlocks());
        assertEquals(List.of(), planner.plan(Material.ofArticle("Plain prose. Nothing else.")).verbatimBlocks());
        // A Markdown post's fenced code, untouched by the markup rules (no link, emphasis or tick is read in it).
        ContentPlan post = planner.plan(Material.ofArticle("""
                Install it with pip, then check the version.

                ```
                pip install **penwright** [extra](x)
                penwright --version
                ```

                That is all.
                """));
        assertEquals("Install it with pip, then check the version. That is all.", post.neutralDraft());
        assertEquals(List.of(new VerbatimBlock("Install it with pip, then check the version.",
                "pip install **penwright** [extra](x)\npenwright --version")), post.verbatimBlocks());
    }

    @Test
    void bulletListItemsBecomeFacts() throws Exception {
        String list = """
                Requirements
                
                - 64-bit Linux or macOS
                - Java 17 or later
                * 16 GiB of memory
                1. A GPU is optional
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(list));
        assertEquals("Requirements", plan.title());
        for (String item : List.of("64-bit Linux or macOS", "Java 17 or later", "16 GiB of memory", "A GPU is optional")) {
            assertTrue(plan.keyFacts().contains(item), () -> item + " missing from " + plan.keyFacts());
        }
    }

    @Test
    void aNumberedHeadingKeepsItsNumberAndAListKeepsNoMarks() throws Exception {
        ContentPlan section = planner.plan(Material.ofArticle("""
                3. 关于本文档

                    本文档介绍 Debian 系统的管理。

                                       -- Osamu Aoki (青木修), Debian 参考手册（版本 2.73）
                """));
        assertEquals("3. 关于本文档", section.title());
        assertTrue(section.neutralDraft().startsWith("3. 关于本文档。"), section.neutralDraft());
        ContentPlan steps = planner.plan(Material.ofArticle("""
                1. Unplug the machine

                2. Open the case and remove the disk.
                """));
        assertFalse(steps.neutralDraft().contains("1.") || steps.neutralDraft().contains("2."), steps.neutralDraft());
        assertTrue(steps.neutralDraft().contains("Unplug the machine"), steps.neutralDraft());
    }

    @Test
    void anEllipsisInsideAFullWidthBracketEndsNoSentence() throws Exception {
        // zh-fortunes-00187: the item wraps before its closing bracket; the ellipsis ended the sentence there, the
        // bracket was lost and the next item ran on after a full stop ("GRUB CD.用读写访问…").
        ContentPlan plan = planner.plan(Material.ofArticle("""
                如果可以物理访问硬盘，则可以使用下面的步骤。

                 1. 使用紧急介质启动系统（Debian 启动磁盘, Knoppix CD, GRUB CD, …
                    ）。

                 2. 用读写访问挂载根分区。
                """));
        assertTrue(plan.neutralDraft().contains("（Debian 启动磁盘, Knoppix CD, GRUB CD, …）。用读写访问挂载根分区。"),
                plan.neutralDraft());
    }

    @Test
    void materialFactsComeFirstAndVerbatim() throws Exception {
        List<String> given = List.of("Price: 9.99 EUR", "ships on 2026-12-01");
        ContentPlan plan = planner.plan(new Material("A note on the new kettle.", given, "", ""));
        assertEquals(given, plan.keyFacts().subList(0, 2));
        ContentPlan onlyFacts = planner.plan(new Material("", given, "", "en"));
        assertEquals(given, onlyFacts.keyFacts());
        assertFalse(onlyFacts.neutralDraft().isBlank());
    }

    @Test
    void jargonFlourishesAreTonedDown() throws Exception {
        String entry = """
                /kluj/ n.
                
                [from the German ‘klug’, clever; poss. related to Polish & Yiddish ‘klugi’] 1. A clever
                programming trick intended to solve a particular nasty case in an expedient, if not clear,
                manner. Often used to repair {bug}s. Often involves {ad-hockery} and {verbosity}. Has been
                described as ‘self-modifying code’ (shudder!). Wow, what a {hack}!
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(entry));
        String draft = plan.neutralDraft();
        assertFalse(draft.contains("{") || draft.contains("}"), draft);
        assertFalse(draft.contains("["), draft);
        assertFalse(draft.contains("/kluj/"), draft);
        assertFalse(draft.contains("shudder"), draft);
        assertFalse(draft.contains("!"), draft);
        assertTrue(draft.contains("Often used to repair bugs."), draft);
        assertTrue(plan.keyFacts().stream().noneMatch(f -> f.contains("{")), plan.keyFacts()::toString);
    }

    @Test
    void deterministic() throws Exception {
        Material m = Material.ofArticle("""
                The quick brown fox jumps over the lazy dog. Foxes live in Europe, Asia and North America.
                A red fox weighs 4 kg to 8 kg. The Arctic fox turns white in winter. Dogs are not foxes.
                """);
        ContentPlan a = planner.plan(m);
        ContentPlan b = new ExtractivePlanner().plan(m);
        assertEquals(a, b);
        assertEquals(a, planner.plan(m));
    }

    @Test
    void emptyMaterialIsAClearError() {
        PlanningException e = assertThrows(PlanningException.class, () -> planner.plan(new Material(" ", List.of(),
                "\n", "")));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertThrows(PlanningException.class, () -> planner.plan(null));
    }

    @Test
    void splitterKnowsAbbreviationsDecimalsAndCjkStops() {
        SentenceSplitter splitter = new SentenceSplitter();
        List<String> en = splitter.split("It runs at 28.8 kbps, e.g. on old modems. Mr. Smith said so! Did he? "
                + "Yes.").stream().map(Sentence::text).toList();
        assertEquals(List.of("It runs at 28.8 kbps, e.g. on old modems.", "Mr. Smith said so!", "Did he?", "Yes."),
                en);
        List<String> zh = splitter.split("今天天气很好。我们去\n公园吧！好吗？").stream().map(Sentence::text).toList();
        assertEquals(List.of("今天天气很好。", "我们去公园吧！", "好吗？"), zh);
    }

    @Test
    void languageDetection() {
        LanguageDetector d = new LanguageDetector();
        assertEquals("en", d.detect("This is a plain English sentence about the weather in the city of London."));
        assertEquals("zh", d.detect("这是一个关于天气的中文句子，包含 Debian 这个词。"));
        assertEquals("ja", d.detect("これは日本語の文です。"));
        assertEquals("und", d.detect("12345 -- 678"));
    }
}
