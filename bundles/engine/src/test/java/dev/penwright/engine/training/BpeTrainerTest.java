package dev.penwright.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

class BpeTrainerTest {
    @TempDir
    Path tmp;

    private static List<String> read(Path file, int max) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        var in = file.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && out.size() < max) {
                out.add(json.readTree(line).path("text").asText());
            }
        }
        return out;
    }

    @Test
    void trainsOnCorporaAndRoundTripsThroughHfTokenizers() throws Exception {
        String corpora = System.getProperty("penwright.corpora");
        Assumptions.assumeTrue(corpora != null && Files.isDirectory(Path.of(corpora)), "corpora folder absent");
        Path root = Path.of(corpora);
        List<String> en = read(root.resolve("debian-desc.jsonl.gz"), 600);
        List<String> zh = read(root.resolve("zh-fortunes.jsonl"), 200);
        List<String> train = new ArrayList<>(en.subList(0, 500));
        train.addAll(zh.subList(0, 150));
        BpeTrainer trainer = new BpeTrainer(2000, BpeTrainer.DEFAULT_SPECIALS, 2);
        int vocab = trainer.trainAndWrite(train, tmp);
        assertEquals(2000, vocab);
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tmp.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            List<String> held = new ArrayList<>(en.subList(500, 600));
            held.addAll(zh.subList(150, 200));
            long bytes = 0;
            long tokens = 0;
            for (String text : held) {
                long[] ids = tok.encode(text, false, false).getIds();
                assertEquals(text, tok.decode(ids, false), "round trip");
                bytes += text.getBytes(StandardCharsets.UTF_8).length;
                tokens += ids.length;
            }
            assertTrue(bytes / (double) tokens > 2.5, "merges compress: " + bytes / (double) tokens + " bytes a token");
            long[] special = tok.encode("<|plan|>title<|text|>", false, false).getIds();
            assertEquals(1, special[0]);
            assertEquals(2, special[special.length - 1]);
            assertEquals(0, tok.encode("<|endoftext|>", false, false).getIds()[0]);
            String cjk = "要有礼貌。意见不一致并不是糟糕举止的借口。";
            assertEquals(cjk, tok.decode(tok.encode(cjk, false, false).getIds(), false));
        }
    }
}
