package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ContentRecallTest {
    private final ContentRecall recall = new ContentRecall();

    @Test
    void contentWordsSkipFunctionWordsSingleLettersAndPunctuation() {
        assertEquals(List.of("quick", "brown", "fox", "jumps", "lazy", "dog", "2024"),
                ContentRecall.contentWords("The quick, brown fox jumps over the *lazy* dog — in 2024!"));
        assertEquals(List.of("bug", "ibm", "16gib"), ContentRecall.contentWords("{bug}s a IBM’s 16GiB"));
        assertEquals(List.of("白", "日", "依", "山", "尽", "debian", "2", "73"),
                ContentRecall.contentWords("白日依山尽，Debian（版本 2.73）".replace("版本", "")));
    }

    @Test
    void formOnlyChangesKeepEverything() {
        String original = "Supported:\n * flashing via USB\n * {cold} booting!\n\n  -- “Nokia” team";
        String neutral = "Supported: flashing via USB; cold booting. \"Nokia\" team.";
        assertEquals(100.0, recall.recall(original, neutral), 1e-9);
        assertEquals(100.0, recall.recall("床前明月光，\n疑是地上霜。", "床前明月光，疑是地上霜。"), 1e-9);
    }

    @Test
    void droppedAndRepeatedWordsAreCountedOnce() {
        // content words: cats(2) chase mice quickly = 5 occurrences
        String original = "Cats chase mice. Cats do it quickly.";
        assertEquals(60.0, recall.recall(original, "Cats chase cats cats cats."), 1e-9); // cats×2 + chase
        assertEquals(0.0, recall.recall(original, ""), 1e-9);
        assertEquals(0.0, recall.recall(original, null), 1e-9);
        assertEquals(50.0, recall.recall("北京大学", "北京"), 1e-9);
    }

    @Test
    void anOriginalWithoutContentIsFullyKept() {
        assertEquals(100.0, recall.recall("It is what it is!", "nothing"), 1e-9);
        assertEquals(100.0, recall.recall(":-)", ""), 1e-9);
    }
}
