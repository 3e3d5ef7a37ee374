package dev.penwright.trainer.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.penwright.engine.training.BpeTrainer;
import dev.penwright.trainer.data.CorpusText;

/** The BPE trainer's sample takes every corpus in turn, so a large first corpus cannot crowd out the others. */
class TokenizerSampleTest {
    @TempDir
    Path tmp;

    private static List<CorpusText> corpus(String style, int n, String text) {
        List<CorpusText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CorpusText(style + "-" + i, style, "", text, "", ""));
        }
        return out;
    }

    @Test
    void takesTheCorporaInTurnUntilTheSmallerRunOut() {
        List<CorpusText> train = new ArrayList<>(corpus("big", 100, "a"));
        train.addAll(corpus("small", 5, "b"));
        train.addAll(corpus("mid", 10, "c"));
        Map<String, Long> counts = StartingModel.tokenizerSample(train, 20).stream()
                .collect(Collectors.groupingBy(CorpusText::style, Collectors.counting()));
        assertEquals(Map.of("big", 8L, "small", 5L, "mid", 7L), counts);
        assertEquals(train, StartingModel.tokenizerSample(train, 0), "0: every text");
        assertEquals(train, StartingModel.tokenizerSample(train, 500), "more than there are: every text");
    }

    @Test
    void aChineseCorpusAfterALargeEnglishOneGetsItsOwnTokens() throws Exception {
        List<CorpusText> train = new ArrayList<>(corpus("en", 400, "The package provides a library for parsing files."));
        train.addAll(corpus("zh", 40, "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。"));
        List<String> texts = StartingModel.tokenizerSample(train, 100).stream().map(CorpusText::text).toList();
        new BpeTrainer(400, BpeTrainer.DEFAULT_SPECIALS, 2).trainAndWrite(texts, tmp);
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tmp.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
            String line = "春眠不觉晓";
            long[] ids = tokenizer.encode(line).getIds();
            // Byte-level only, each of these characters would be three tokens.
            assertTrue(ids.length < 3 * line.length(), line + " took " + ids.length + " tokens");
        }
    }
}
