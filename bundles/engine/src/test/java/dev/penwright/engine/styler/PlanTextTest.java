package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.VerbatimBlock;

class PlanTextTest {
    @Test
    void theDraftTakesBackItsListNumbersAndItsBlocks() {
        ContentPlan plan = new ContentPlan("Reset", "", List.of(), " Reset it as follows. Boot from the CD. Clear the"
                + " field. Then reboot. ", "en", "t", null,
                List.of(new NumberedItem(1, "Boot from the CD."), new NumberedItem(2, "Clear the field.")),
                List.of(new VerbatimBlock("Then reboot.", "$ sudo reboot")));
        assertEquals("Reset it as follows.\n1. Boot from the CD.\n2. Clear the field.\n\nThen reboot.\n\n$ sudo reboot",
                PlanText.of(plan));
        ContentPlan prose = new ContentPlan("", "", List.of(), "Only prose.", "en", "t", null);
        assertEquals("Only prose.", PlanText.of(prose));
    }
}
