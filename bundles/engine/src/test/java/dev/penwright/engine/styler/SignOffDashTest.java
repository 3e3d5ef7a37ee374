package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.style.Exemplar;

class SignOffDashTest {
    @Test
    void theDashMostSignatureLinesOpenWith() {
        List<Exemplar> fortunes = List.of(
                new Exemplar("a", "", "身不宜忙。\n    --《菜根谭》"),
                new Exemplar("b", "", "要有礼貌。\n\n    -- Debian 《行为准则》第一条\n"),
                new Exemplar("c", "", "A quip.\n— Jane Doe"),
                new Exemplar("d", "", "No signature -- just a dash inside."));
        assertEquals("--", SignOffDash.of(fortunes));
        assertEquals("—", SignOffDash.of(List.of(new Exemplar("c", "", "A quip.\n\n  — Jane Doe"))));
        assertEquals("", SignOffDash.of(List.of(new Exemplar("d", "", "Plain text.\n-not a signature"))));
    }
}
