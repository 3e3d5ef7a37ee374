package dev.penwright.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Split;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark on small real samples of the corpora, with the rows that need no model. */
class BenchRunnerTest {
    private static final List<String> STYLES = List.of("jargon", "zh-fortunes");
    private static Corpora corpora;
    private static BenchResult result;

    @BeforeAll
    static void run() throws Exception {
        String p = System.getProperty("penwright.corpora");
        assumeTrue(p != null && Files.isDirectory(Path.of(p)), "corpora folder not present");
        corpora = new Corpora(Path.of(p));
        List<BenchSystem> systems = List.of(new NeutralDraftSystem(), new RetrievalSystem(),
                new StylerSystem("s-sft", "S-SFT", null, Map.of(), true, "no pack", 10), new OriginalSystem());
        result = new BenchRunner(corpora, new ExtractivePlanner(), Progress.NONE).run(STYLES, 6, null, systems);
    }

    @Test
    void renderingSeveralTextsAtOnceKeepsEachOutputWithItsText() throws Exception {
        List<BenchSystem> systems = List.of(new NeutralDraftSystem(), new RetrievalSystem());
        BenchResult parallel = new BenchRunner(corpora, new ExtractivePlanner(), Progress.NONE, null, 4)
                .run(STYLES, 6, null, systems);
        for (int s = 0; s < STYLES.size(); s++) {
            StyleTable one = result.styles().get(s);
            StyleTable four = parallel.styles().get(s);
            for (int i = 0; i < one.examples().size(); i++) {
                for (BenchSystem system : systems) {
                    assertEquals(one.examples().get(i).outputs().get(system.key()),
                            four.examples().get(i).outputs().get(system.key()));
                }
            }
            for (int r = 0; r < 2; r++) {
                assertEquals(one.rows().get(r).rougeL(), four.rows().get(r).rougeL(), 1e-9);
                assertEquals(one.rows().get(r).bleu4(), four.rows().get(r).bleu4(), 1e-9);
            }
        }
    }

    @Test
    void usesTheTrainersTestSplitInFileOrder() throws Exception {
        for (StyleTable t : result.styles()) {
            List<CorpusText> test = Split.TEST.select(corpora.load(t.style()), CorpusText::id);
            assertEquals(test.size(), t.testSize());
            assertEquals(6, t.n());
            List<String> expectedIds = test.stream().filter(x -> !x.text().isBlank()).limit(3).map(CorpusText::id).toList();
            assertEquals(expectedIds, t.examples().stream().map(StyleTable.Example::id).toList());
            assertTrue(t.examples().stream().allMatch(e -> Split.of(e.id()) == Split.TEST));
        }
        assertEquals("zh", result.styles().get(1).language());
        assertEquals("en", result.styles().get(0).language());
    }

    @Test
    void modelFreeRowsAreScoredAndRetrievalNeverReturnsTheTestTextItself() {
        for (StyleTable t : result.styles()) {
            RowResult draft = t.rows().get(0);
            RowResult retrieval = t.rows().get(1);
            assertTrue(draft.available() && retrieval.available());
            for (RowResult r : List.of(draft, retrieval)) {
                assertEquals(6, r.n());
                assertTrue(r.rougeL() > 0 && r.rougeL() <= 100, t.style() + " " + r);
                assertTrue(r.bleu4() >= 0 && r.bleu4() <= 100);
                assertTrue(r.styleScore() > 0 && r.styleScore() <= 100);
                assertTrue(r.signatures().get("bleu4").contains(t.language().equals("zh") ? "tok:zh" : "tok:13a"),
                        r.signatures().toString());
            }
            for (StyleTable.Example e : t.examples()) {
                assertNotEquals(e.original(), e.outputs().get("retrieval"), "retrieval must search TRAIN texts only");
            }
            // The neutral draft is made from the original, so it shares more of it than a different text does.
            assertTrue(draft.rougeL() > retrieval.rougeL(), draft + " vs " + retrieval);
        }
    }

    @Test
    void theOriginalRowIsTheReferenceAndTheDraftKeepsItsContentButNotItsStyle() throws Exception {
        for (StyleTable t : result.styles()) {
            RowResult draft = t.rows().get(0);
            RowResult original = t.rows().get(3);
            assertEquals(OriginalSystem.KEY, original.key());
            assertEquals(100.0, original.rougeL(), 1e-9);
            assertEquals(100.0, original.contentRecall(), 1e-9);
            assertEquals(0.0, original.factualHallucination(), 1e-9);
            // The draft keeps the content words (it drops only form) ...
            assertTrue(draft.contentRecall() >= 90, t.style() + " " + draft);
            assertTrue(draft.contentRecall() < 100 || draft.rougeL() < 100, t.style() + ": the draft is the original");
            // ... and the real thing reads more like its style than the neutral draft does.
            assertTrue(original.styleScore() > draft.styleScore(), t.style() + ": " + original + " vs " + draft);
            assertTrue(draft.signatures().get("contentRecall").startsWith("contentRecall|"), draft.signatures()
                    .toString());
        }
        String md = ReportWriter.markdown(result);
        assertTrue(md.contains("| Content recall |"), md);
        assertTrue(md.contains("| Original text (reference) | 100.00 |"), md);
        JsonNode json = new ObjectMapper().readTree(ReportWriter.json(result));
        assertEquals(100.0, json.at("/styles/0/rows/3/contentRecall").asDouble(), 1e-9);
    }

    @Test
    void aRowWithNoSystemIsReportedAsNotAvailableEverywhere() throws Exception {
        for (StyleTable t : result.styles()) {
            RowResult r = t.rows().get(2);
            assertFalse(r.available());
            assertEquals("no Styler service (the engine bundle is not running)", r.reason());
            assertNull(r.rougeL());
        }
        assertFalse(result.overall().get(2).available());
        String md = ReportWriter.markdown(result);
        assertTrue(md.contains("| S-SFT | not available: jargon: no Styler service"), md);
        JsonNode json = new ObjectMapper().readTree(ReportWriter.json(result));
        assertFalse(json.at("/styles/0/rows/2/available").asBoolean());
        assertTrue(json.at("/styles/0/rows/2/rougeL").isNull());
    }

    @Test
    void theShotsColumnShowsTheSettingAndTheMeanThatFitted() {
        // A 2-shot row on long plans: 0.1 exemplars fitted a prompt on average; the column must not read 0.1 shots.
        RowResult fewShot = new RowResult("base", "Base", true, "", 10, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1, null, "",
                0, null, 9, 2, 0.1, null, null, 0, false);
        assertEquals("2 (fit 0.1)", ReportWriter.shots(fewShot));
        RowResult pack = new RowResult("s-sft", "S-SFT", true, "", 10, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1, null, "",
                0, null, 0, 0, 0.0, null, null, 0, false);
        assertEquals("0", ReportWriter.shots(pack));
        RowResult none = new RowResult("draft", "Draft", true, "", 10, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1, null, "",
                0, null, 0, null, null, null, null, 0, false);
        assertEquals("–", ReportWriter.shots(none));
        // A report written before the setting was recorded: the fit alone, named as such.
        RowResult old = new RowResult("base", "Base", true, "", 10, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1, null, "",
                0, null, 9, null, 0.1, null, null, 0, false);
        assertEquals("fit 0.1", ReportWriter.shots(old));
        assertTrue(ReportWriter.markdown(result).contains(ReportWriter.SHOTS_LEGEND), "the column is explained");
    }

    @Test
    void overallIsTheMeanOfTheStyles() {
        for (int i = 0; i < 2; i++) {
            RowResult o = result.overall().get(i);
            double a = result.styles().get(0).rows().get(i).rougeL();
            double b = result.styles().get(1).rows().get(i).rougeL();
            assertEquals((a + b) / 2, o.rougeL(), 1e-9);
            assertEquals(12, o.n());
        }
    }

    @Test
    void aTextTheSystemCannotRenderCountsAsEmptyAndIsReported() throws Exception {
        // Like a small model with a short context: it refuses plans longer than 200 characters.
        BenchSystem shortContext = new BenchSystem() {
            public String key() { return "short"; }
            public String label() { return "Short context"; }
            public java.util.Optional<String> unavailableReason(String style) { return java.util.Optional.empty(); }
            public String generate(String style, BenchItem item) {
                if (item.plan().neutralDraft().length() > 200) {
                    throw new IllegalStateException("plan of " + item.plan().neutralDraft().length() + " chars");
                }
                return item.plan().neutralDraft();
            }
        };
        BenchResult r = new BenchRunner(corpora, new ExtractivePlanner(), Progress.NONE)
                .run(List.of("jargon", "zh-fortunes"), 6, 3L, List.of(shortContext));
        int failed = 0;
        for (StyleTable t : r.styles()) {
            RowResult row = t.rows().get(0);
            assertTrue(row.available());
            assertEquals(6, row.n());
            failed += row.failures();
            assertEquals(Math.min(5, row.failures()), row.failureMessages().size());
        }
        assertTrue(failed > 0, "jargon entries have long plans");
        assertEquals(failed, r.overall().get(0).failures());
        assertTrue(ReportWriter.markdown(r).contains(" failed)"));
    }

    @Test
    void writesJsonMarkdownHtmlAndCharts(@TempDir Path dir) throws Exception {
        List<Path> files = new ReportWriter().write(result, dir);
        assertTrue(files.contains(dir.resolve("bench.json")));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        assertEquals(result.styles().get(0).rows().get(0).rougeL(), json.at("/styles/0/rows/0/rougeL").asDouble(), 1e-12);
        String html = Files.readString(dir.resolve("bench.html"));
        assertTrue(html.contains("<img alt=\"chart-rougeL.png\""));
        assertTrue(html.contains("not available: no Styler service"));
        var img = ImageIO.read(dir.resolve("chart-rougeL.png").toFile());
        assertEquals(900, img.getWidth());
        assertTrue(Files.readString(dir.resolve("bench.md")).contains("## Overall (mean over styles)"));
    }

    @Test
    void commandRunsEndToEndAndRejectsBadInput(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var planner = new ExtractivePlanner();
        var cmd = new picocli.CommandLine(new BenchNotesCommand(Map.of(planner.id(), planner), null, List.of(),
                new PrintWriter(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        int status = cmd.execute("--styles", "jargon,zh-fortunes", "--n", "3", "--seed", "7", "--json",
                "--corpora", corpora.folder().toString(), "--out", dir.toString(),
                "--progress-file", dir.resolve("progress.jsonl").toString());
        assertEquals(0, status, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(10, json.at("/styles/0/rows").size());
        assertEquals("original", json.at("/styles/0/rows/0/key").asText());
        assertEquals("not available", json.at("/styles/0/rows/8/available").asBoolean() ? "" : "not available");
        assertTrue(Files.readAllLines(dir.resolve("progress.jsonl")).get(0).startsWith("{\"phase\":\"plan\""));
        assertTrue(Files.exists(dir.resolve("bench.html")));

        // --rows keeps only the named rows, in the table's order; an unknown key is a clear error.
        out.reset();
        status = cmd.execute("--styles", "jargon,zh-fortunes", "--n", "2", "--json", "--rows",
                "neutral-draft,original", "--corpora", corpora.folder().toString());
        assertEquals(0, status, err.toString());
        json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(2, json.at("/styles/0/rows").size());
        assertEquals("original", json.at("/styles/0/rows/0/key").asText());
        assertEquals("neutral-draft", json.at("/styles/0/rows/1/key").asText());
        err.reset();
        status = cmd.execute("--styles", "jargon,zh-fortunes", "--rows", "draft", "--corpora",
                corpora.folder().toString());
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--rows: unknown row [draft] (rows: original, "
                + "neutral-draft, plan-text, retrieval"), err.toString(StandardCharsets.UTF_8));

        var bad = new BenchRunner(corpora, planner, Progress.NONE);
        var e = assertThrows(IllegalArgumentException.class,
                () -> bad.run(List.of("no-such-style"), 3, null, List.of(new NeutralDraftSystem())));
        assertTrue(e.getMessage().contains("no-such-style"));
        assertThrows(IllegalArgumentException.class, () -> bad.run(STYLES, 0, null, List.of()));
    }

    @Test
    void aNewCorpusIsBenchmarkedBesideTheShippedOnesOnEitherSplit(@TempDir Path dir) throws Exception {
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            corpus.append(new ObjectMapper().createObjectNode().put("id", "house-" + i).put("style", "house")
                    .put("text", "Our product number " + i + " ships today.\n\nIt is fast, and it is small.\n"))
                    .append('\n');
        }
        Files.createDirectories(dir.resolve("mine"));
        Files.writeString(dir.resolve("mine/house.jsonl"), corpus.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var planner = new ExtractivePlanner();
        var cmd = new picocli.CommandLine(new BenchNotesCommand(Map.of(planner.id(), planner), null, List.of(),
                new PrintWriter(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        int status = cmd.execute("--styles", "house,jargon", "--n", "2", "--json", "--rows", "original,neutral-draft",
                "--split", "validation", "--corpora", dir.resolve("mine").toString());
        assertEquals(0, status, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("house", json.at("/styles/0/style").asText());
        assertEquals("jargon", json.at("/styles/1/style").asText(), "the shipped corpus is found beside the new one");
        assertEquals("validation split", json.at("/settings/scored").asText());
        err.reset();
        assertEquals(2, cmd.execute("--styles", "house", "--split", "train", "--corpora", dir.resolve("mine").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--split must be test or validation"));
    }
}
