package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class LabelLinesTest {
    private static final List<String> LABELS = List.of("提示", "注意", "Note");

    @Test
    void aLabelSentenceBecomesAParagraphWithoutItsStop() {
        assertEquals("档案库层的文件。\n\n提示\n\n你可以参见第 2.5 节。",
                LabelLines.copySource("档案库层的文件。提示。你可以参见第 2.5 节。", LABELS));
        assertEquals("提示\n\n你可以参见第 2.5 节。\n\n注意", LabelLines.copySource("提示。你可以参见第 2.5 节。注意。", LABELS));
        assertEquals("It runs fast.\n\nNote\n\nIt needs a GPU.",
                LabelLines.copySource("It runs fast. Note. It needs a GPU.", LABELS));
    }

    @Test
    void aLabelInsideASentenceStays() {
        assertEquals("请注意。你可以。", LabelLines.copySource("请注意。你可以。", LABELS));
        assertEquals("Note the GPU. It runs.", LabelLines.copySource("Note the GPU. It runs.", LABELS));
        assertEquals("A footnote. It runs.", LabelLines.copySource("A footnote. It runs.", LABELS));
        assertEquals("没有标签。", LabelLines.copySource("没有标签。", List.of()));
    }
}
