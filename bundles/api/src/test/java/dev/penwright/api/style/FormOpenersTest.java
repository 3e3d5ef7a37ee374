package dev.penwright.api.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FormOpenersTest {
    @Test
    void countsTheMarkADraftDroppedByTheWordAfterIt() {
        List<String> texts = List.of("vt.\n\nTo clear a condition.", "n.\n\nA program.", "/fu/, n.\n\nA thing.",
                "1. vt. To wobble.", "/bar/, n.\n\nThe bar.");
        List<String> drafts = List.of("To clear a condition.", "A program.", "/fu/. A thing.", "To wobble.",
                "/bar/, n. The bar.");
        FormOpeners o = FormOpeners.of(texts, drafts, List.of("n", "vt", "1"));
        // "1. vt." counts its first mark; "/bar/, n." is kept by its draft, so nothing is counted for it.
        assertEquals(Map.of("to", Map.of("vt", 1, "1", 1), "a", Map.of("n", 2)), o.counts());
        assertEquals(o, FormOpeners.parse(o.lines()));
    }

    @Test
    void oddsAreAWordsCountsSmoothedByTheStylesOverall() {
        FormOpeners o = FormOpeners.parse(List.of("to\tvt\t3", "a\tn\t9"));
        Map<String, Double> to = o.odds("To");
        assertTrue(to.get("vt") > 0.7 && to.get("n") < 0.25, to.toString());
        assertEquals(1.0, to.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertEquals(0.75, o.odds("unseen").get("n"), 1e-9, "an unseen word gets the style's overall odds");
        assertTrue(FormOpeners.NONE.odds("to").isEmpty());
    }

    @Test
    void aMalformedLineIsRefusedWithItsNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FormOpeners.parse(List.of("to\tvt\t3", "two words\tn\t1")));
        assertTrue(e.getMessage().startsWith("line 2 "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FormOpeners.parse(List.of("to\tvt\t0")));
    }
}
