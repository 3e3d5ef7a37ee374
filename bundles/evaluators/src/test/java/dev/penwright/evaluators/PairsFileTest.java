package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {
    private final PairsFile pairs = new PairsFile();

    private List<Pair> read(String content) {
        return pairs.read(new StringReader(content), "pairs.jsonl");
    }

    private String error(String content) {
        return assertThrows(PairsFileException.class, () -> read(content)).getMessage();
    }

    @Test
    void readsPairsSkippingBlankLines() {
        List<Pair> p = read("{\"id\":\"a\",\"hypothesis\":\"h\",\"reference\":\"r\"}\n\n"
                + "{\"id\":7,\"hypothesis\":\"我\",\"reference\":\"你\",\"source\":\"s\",\"extra\":1}\n");
        assertEquals(2, p.size());
        assertNull(p.get(0).source());
        assertEquals(new Pair("7", "我", "你", "s"), p.get(1));
    }

    @Test
    void badLinesNameTheLine() {
        String ok = "{\"id\":\"a\",\"hypothesis\":\"h\",\"reference\":\"r\"}\n";
        assertEquals("pairs.jsonl:2: missing \"reference\"", error(ok + "{\"id\":\"b\",\"hypothesis\":\"h\"}\n"));
        assertEquals("pairs.jsonl:3: id \"a\" appears twice", error(ok + "\n" + ok));
        assertEquals("pairs.jsonl:1: \"hypothesis\" must be a string, got ARRAY",
                error("{\"id\":\"a\",\"hypothesis\":[],\"reference\":\"r\"}"));
        assertEquals(true, error(ok + "{not json").startsWith("pairs.jsonl:2: not valid JSON"));
        assertEquals(2, assertThrows(PairsFileException.class, () -> read(ok + "[1]")).line());
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path dir) {
        Path file = dir.resolve("p.jsonl");
        List<Pair> original = List.of(new Pair("1", "a \"quoted\"\nline", "ref", null), new Pair("2", "中文", "参考", "源"));
        pairs.write(file, original);
        assertEquals(original, pairs.read(file));
        assertEquals(true, assertThrows(PairsFileException.class, () -> pairs.read(dir.resolve("none.jsonl")))
                .getMessage().endsWith("no such file"));
        assertEquals(true, Files.exists(file));
    }
}
