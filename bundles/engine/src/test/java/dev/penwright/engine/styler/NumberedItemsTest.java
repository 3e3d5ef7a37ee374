package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.NumberedItem;

class NumberedItemsTest {
    @Test
    void eachItemStartsALineAfterItsNumber() {
        List<NumberedItem> steps = List.of(new NumberedItem(1, "Boot from the CD."),
                new NumberedItem(2, "Mount the root partition."));
        assertEquals("Do the following. Then:\n1. Boot from the CD.\n2. Mount the root partition.\n\nReboot.",
                NumberedItems.copySource("Do the following. Then: Boot from the CD. Mount the root partition. Reboot.",
                        steps));
        assertEquals("下面的步骤。\n1. 挂载根分区。\n2. 重启系统。\n\n完成。",
                NumberedItems.copySource("下面的步骤。挂载根分区。重启系统。完成。",
                        List.of(new NumberedItem(1, "挂载根分区。"), new NumberedItem(2, "重启系统。"))));
    }

    @Test
    void aDraftThatOpensWithAnItemTakesNoLineBreakBeforeIt() {
        assertEquals("1. Boot.\n2. Mount.", NumberedItems.copySource("Boot. Mount.",
                List.of(new NumberedItem(1, "Boot."), new NumberedItem(2, "Mount."))));
    }

    @Test
    void itemsAreFoundInOrderAndOnesTheTextLacksArePassedOver() {
        // Two lists, the second repeating a step of the first: each item is looked for after the one before it.
        assertEquals("A.\n1. Edit the file.\n2. Reboot.\n\nB.\n1. Edit the file.\n2. Log in.",
                NumberedItems.copySource("A. Edit the file. Reboot. B. Edit the file. Log in.",
                        List.of(new NumberedItem(1, "Edit the file."), new NumberedItem(2, "Reboot."),
                                new NumberedItem(1, "Edit the file."), new NumberedItem(2, "Log in."))));
        // A section of a long draft holds only some of the plan's items.
        assertEquals(" Later text.\n2. Log in.", NumberedItems.copySource(" Later text. Log in.",
                List.of(new NumberedItem(1, "Edit the file."), new NumberedItem(2, "Log in."))));
        assertEquals("No list here.", NumberedItems.copySource("No list here.", List.of()));
    }
}
