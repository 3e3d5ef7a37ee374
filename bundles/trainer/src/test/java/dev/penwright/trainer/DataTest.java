package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.trainer.data.AlpacaExample;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Dataset;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.JsonlReader.OnBadLine;
import dev.penwright.trainer.data.PreferencePair;
import dev.penwright.trainer.data.Split;

class DataTest {
    @TempDir
    Path tmp;

    @Test
    void corpusLinesGoodAndBad() throws Exception {
        Path f = tmp.resolve("c.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"id\":\"a\",\"style\":\"s\",\"title\":\"\",\"text\":\"first\",\"license\":\"CC0\"}",
                "",
                "{\"id\":\"b\",\"style\":\"s\",\"title\":\"t\"}",
                "[1,2]",
                "{\"id\":\"a\",\"style\":\"s\",\"title\":\"t\",\"text\":\"dup\"}",
                "{\"id\":\"c\",\"style\":\"s\",\"title\":\"t\",\"text\":42}",
                "{oops",
                "{\"id\":\"d\",\"style\":\"s\",\"title\":\"t\",\"text\":\"fourth\"}"));
        Dataset<CorpusText> d = new JsonlReader(OnBadLine.SKIP).corpus(f);
        assertEquals(List.of("a", "d"), d.records().stream().map(CorpusText::id).toList());
        assertEquals("CC0", d.records().get(0).license());
        List<String> bad = d.badLines().stream().map(b -> b.lineNumber() + " " + b.reason()).toList();
        assertEquals(5, bad.size(), bad.toString());
        assertTrue(bad.get(0).startsWith("3 missing \"text\""), bad.toString());
        assertTrue(bad.get(1).startsWith("4 not a JSON object"), bad.toString());
        assertTrue(bad.get(2).startsWith("5 duplicate id 'a'"), bad.toString());
        assertTrue(bad.get(3).startsWith("6 \"text\" is not a string"), bad.toString());
        assertTrue(bad.get(4).startsWith("7 not JSON"), bad.toString());
        BadDataException e = assertThrows(BadDataException.class, () -> new JsonlReader(OnBadLine.FAIL).corpus(f));
        assertEquals(5, e.lines().size());
        assertTrue(e.getMessage().contains("c.jsonl:3: missing \"text\""), e.getMessage());
    }

    @Test
    void gzipAlpacaAndPreference() throws Exception {
        Path gz = tmp.resolve("a.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(("{\"instruction\":\"Say hi\",\"input\":\"\",\"output\":\"hi\"}\n"
                    + "{\"instruction\":\"Sum\",\"input\":\"1 2\",\"output\":\"3\"}\n"
                    + "{\"instruction\":\"No output\"}\n").getBytes(StandardCharsets.UTF_8));
        }
        Dataset<AlpacaExample> a = new JsonlReader(OnBadLine.SKIP).alpaca(gz);
        assertEquals(2, a.records().size());
        assertEquals("Sum\n\n1 2", a.records().get(1).prompt());
        assertEquals(3, a.badLines().get(0).lineNumber());
        assertEquals(Split.contentId("Say hi", ""), a.records().get(0).id());

        Path p = tmp.resolve("p.jsonl");
        Files.writeString(p, "{\"prompt\":\"q\",\"chosen\":\"good\",\"rejected\":\"bad\"}\n"
                + "{\"prompt\":\"q\",\"chosen\":\"same\",\"rejected\":\"same\"}\n");
        Dataset<PreferencePair> pp = new JsonlReader(OnBadLine.SKIP).preference(p);
        assertEquals(1, pp.records().size());
        assertTrue(pp.badLines().get(0).reason().contains("the same text"));
    }

    @Test
    void emptyOrMissingFilesAreClearErrors() throws Exception {
        Path empty = tmp.resolve("e.jsonl");
        Files.writeString(empty, "\n\n");
        BadDataException e = assertThrows(BadDataException.class, () -> new JsonlReader(OnBadLine.SKIP).corpus(empty));
        assertTrue(e.getMessage().contains("no usable lines"));
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> new JsonlReader(OnBadLine.SKIP).corpus(tmp.resolve("missing.jsonl")));
    }

    /** The split is a pure function of the id, with the documented hash, and near 80/10/10 on many ids. */
    @Test
    void splitByIdHash() throws Exception {
        // sha256("jargon-00000") = 1c5a3b…; the first 8 bytes as unsigned big-endian, mod 100.
        byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest("jargon-00000".getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        assertEquals((int) Long.remainderUnsigned(v, 100), Split.bucket("jargon-00000"));
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add("id-" + i);
        }
        ids.forEach(id -> counts.merge(Split.of(id), 1, Integer::sum));
        assertTrue(Math.abs(counts.get(Split.TRAIN) - 8000) < 200, counts.toString());
        assertTrue(Math.abs(counts.get(Split.VALIDATION) - 1000) < 120, counts.toString());
        assertTrue(Math.abs(counts.get(Split.TEST) - 1000) < 120, counts.toString());
        List<String> reversed = new ArrayList<>(ids);
        java.util.Collections.reverse(reversed);
        assertEquals(Split.TEST.select(ids, s -> s).size(), Split.TEST.select(reversed, s -> s).size());
    }

    @Test
    void realCorporaRead() throws Exception {
        String dir = System.getProperty("penwright.corpora");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "no corpora");
        Dataset<CorpusText> d = new JsonlReader(OnBadLine.FAIL).corpus(Path.of(dir, "debian-desc.jsonl.gz"));
        assertTrue(d.records().size() > 1000);
        assertTrue(d.badLines().isEmpty());
    }
}
