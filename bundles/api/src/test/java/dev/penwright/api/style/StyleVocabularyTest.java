package dev.penwright.api.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.generate.GenerationOptions;

class StyleVocabularyTest {
    @Test
    void unitsAreLetterDigitRunsAndSingleHanCharacters() {
        assertEquals(List.of("nginx", "HTTP", "2", "TLS", "1", "3", "café"),
                StyleVocabulary.units("nginx: HTTP/2, TLS 1.3 — café"));
        assertEquals(List.of("春", "眠", "Debian", "晓"), StyleVocabulary.units("春眠，Debian晓。"));
    }

    @Test
    void aStyleSignsOffWhenMostOfItsTextsEndWithASignatureLine() {
        List<String> fortunes = List.of("春眠不觉晓。\n    -- 孟浩然《春晓》", "Stay hungry.\n  — Stewart Brand\n",
                "无事田中走。\n    --《谚语》", "A line with no signature.");
        assertTrue(StyleVocabulary.signsOff(fortunes));
        assertTrue(StyleVocabulary.of(fortunes).signsOff());
        assertEquals("--", StyleVocabulary.signatureDash("春眠不觉晓。\n    -- 孟浩然《春晓》\n"));
        assertEquals("—", StyleVocabulary.signatureDash("Stay hungry.\n  — Stewart Brand"));
        assertEquals("", StyleVocabulary.signatureDash("Foo -- bar."));
        // A dash inside the last line, a list item, or a signature in half the texts only is not a style's sign-off.
        assertFalse(StyleVocabulary.signsOff(List.of("Foo -- bar.", "Items:\n - one\n - two", "Plain.",
                "A text.\n-- Someone")));
        assertFalse(StyleVocabulary.signsOff(List.of()));
        assertTrue(new StyleVocabulary(List.of("word")).withSignsOff(true).withFormWords(List.of("n")).signsOff());
    }

    @Test
    void labelLinesStandAloneBetweenBlankLinesInEnoughTexts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            texts.add("1.1." + i + " 标题\n\n    正文。\n\n    提示\n\n    更多正文。\n\n    * 列表项\n\n    $ ls\n\n"
                    + "    一句话结束了。\n\n    -- 作者");
        }
        texts.add("Title\n\nBody.\n\n\u00A0\u00A0 Note\n\nMore.\n\n-- Someone");
        // The title and the signature stand alone too, but they are the first and last lines; a list item, a prompt and
        // a sentence are not labels; "Note" stands alone in one text only.
        assertEquals(List.of("提示"), StyleVocabulary.labelLines(texts));
        assertEquals(List.of(), StyleVocabulary.labelLines(List.of()));
        assertEquals(List.of("提示"), new StyleVocabulary(List.of("word")).withLabelLines(List.of("提示"))
                .withSignsOff(true).withFormWords(List.of("n")).labelLines());
    }

    @Test
    void formWordsAreWhatTheTextsHoldAndTheirDraftsLeaveOut() {
        List<String> texts = new ArrayList<>();
        List<String> drafts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            texts.add("n. 1. A word number " + i + " in a text. 2. Its second sense.");
            drafts.add("A word number " + i + " in a text. Its second sense.");
        }
        texts.add("vt. Seen once.");
        drafts.add("Seen once.");
        // "n", "1" and "2" are dropped from every draft; "vt" from one text only (below 2 texts); the content stays.
        assertEquals(List.of("1", "2", "n"), StyleVocabulary.formWords(texts, drafts));
        assertEquals(List.of("n"), new StyleVocabulary(List.of("word")).withFormWords(List.of("n")).formWords());
        assertThrows(IllegalArgumentException.class, () -> StyleVocabulary.formWords(texts, drafts.subList(0, 3)));
        assertThrows(IllegalArgumentException.class, () -> new StyleVocabulary(List.of(), List.of("n.")));
    }

    @Test
    void guardedUnitsAreCapitalisedHoldADigitOrAreHan() {
        assertTrue(StyleVocabulary.isGuarded("MIT"));
        assertTrue(StyleVocabulary.isGuarded("mp3"));
        assertTrue(StyleVocabulary.isGuarded("1963"));
        assertTrue(StyleVocabulary.isGuarded("晓"));
        assertFalse(StyleVocabulary.isGuarded("daemon"));
        assertFalse(StyleVocabulary.isGuarded("iPhone"));
    }

    @Test
    void theVocabularyKeepsWordsFrequentAcrossTexts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // "Jargon" in every text, "MIT" in 3 of 200 (1.5 %), "Once" in 2 (1 %): only the first two count.
            texts.add("Jargon entry " + i + (i < 3 ? " MIT" : "") + (i >= 100 && i < 102 ? " Once" : ""));
        }
        List<String> words = StyleVocabulary.of(texts).words();
        assertEquals(List.of("Jargon", "entry", "MIT"), words);
        assertThrows(IllegalArgumentException.class, () -> new StyleVocabulary(List.of("two words")));
    }

    @Test
    void copyAwareOptionsMergeAndAreChecked() {
        GenerationOptions pack = new GenerationOptions(null, 1.0, null, null, null, null, null, 3.0, true, 0.7);
        GenerationOptions request = GenerationOptions.UNSET.withCopyAware(0.0, null, null);
        GenerationOptions merged = request.over(pack);
        assertEquals(0.0, merged.copyBias());
        assertEquals(Boolean.TRUE, merged.factGuard());
        assertEquals(0.7, merged.minCoverage());
        assertTrue(merged.isCopyAware());
        assertFalse(GenerationOptions.DEFAULTS.isCopyAware());
        assertEquals(merged, merged.withSeed(5L).withSeed(merged.seed()));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.UNSET.withCopyAware(-1.0, null, null));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.UNSET.withCopyAware(null, null, 1.2));
    }
}
