package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.VerbatimBlock;

class VerbatimBlocksTest {
    private static final VerbatimBlock SESSION = new VerbatimBlock("Type the following",
            "$ date\nSun Jun  3 10:27:39 CST 2007");

    @Test
    void aBlockGoesBackAfterItsSentenceAsAParagraph() {
        assertEquals("Type the following.\n\n$ date\nSun Jun  3 10:27:39 CST 2007\n\nIt prints the date.",
                VerbatimBlocks.copySource("Type the following. It prints the date.", List.of(SESSION), true));
        assertEquals("输入以下命令。\n\n# rsync -aHAXSv ./source/ /dest\n\n或者如下所示。",
                VerbatimBlocks.copySource("输入以下命令。或者如下所示。",
                        List.of(new VerbatimBlock("输入以下命令", "# rsync -aHAXSv ./source/ /dest")), true));
        // At the draft's end the block ends the source.
        assertEquals("Type the following.\n\n$ date\nSun Jun  3 10:27:39 CST 2007",
                VerbatimBlocks.copySource("Type the following.", List.of(SESSION), true));
    }

    @Test
    void aBlocksRangeIsCountedInTheUtf8BytesOfTheCopySource() {
        String source = "输入命令。\n\n$ ls -l\n\n完。";
        // "输入命令。" is 5 characters of 3 bytes, then two line breaks: the block starts at byte 17, 7 bytes long.
        assertArrayEquals(new int[] {17, 24}, VerbatimBlocks.byteSpans(source,
                List.of(new VerbatimBlock("输入命令", "$ ls -l"))));
        assertArrayEquals(new int[0], VerbatimBlocks.byteSpans("完。", List.of(new VerbatimBlock("x", "$ ls"))));
    }

    @Test
    void aBlockBeforeTheFirstSentenceOpensOnlyTheDraftsFirstSection() {
        VerbatimBlock first = new VerbatimBlock("", "$ ls");
        assertEquals("$ ls\n\nIt lists files.", VerbatimBlocks.copySource("It lists files.", List.of(first), true));
        assertEquals(" It lists files.", VerbatimBlocks.copySource(" It lists files.", List.of(first), false));
    }

    @Test
    void blocksAreFoundInOrderAndOnesOfAnotherSectionArePassedOver() {
        List<VerbatimBlock> two = List.of(new VerbatimBlock("Run it", "$ a"), new VerbatimBlock("Run it", "$ b"));
        assertEquals("Run it.\n\n$ a\n\nThen again. Run it.\n\n$ b",
                VerbatimBlocks.copySource("Run it. Then again. Run it.", two, true));
        assertEquals("Nothing here.", VerbatimBlocks.copySource("Nothing here.", List.of(SESSION), true));
        // Only where the sentence stands whole: not inside a longer one that begins or ends the same way.
        assertEquals("用 cpio(1) 和 tar(1)。cpio(1)。\n\n# cpio -pvdm\n\n完。", VerbatimBlocks.copySource(
                "用 cpio(1) 和 tar(1)。cpio(1)。完。", List.of(new VerbatimBlock("cpio(1)", "# cpio -pvdm")), true));
        assertEquals("见 tar(1), 和 cpio(1)。", VerbatimBlocks.copySource("见 tar(1), 和 cpio(1)。",
                List.of(new VerbatimBlock("cpio(1)", "# cpio -pvdm")), true));
        // After a sentence whose full stop is inside its bracket.
        assertEquals("废弃.) \"Pubkey\": RSA key。\n\n$ ssh-keygen -t rsa\n\n完。", VerbatimBlocks.copySource(
                "废弃.) \"Pubkey\": RSA key。完。", List.of(new VerbatimBlock("\"Pubkey\": RSA key", "$ ssh-keygen -t rsa")),
                true));
        // After a title set on a line of its own (no full stop), a sentence starts the next line.
        assertEquals("1.3.2. 启动 MC\n\nMC 可以这样启动起来。\n\n$ mc\n\n只需要按 F1。", VerbatimBlocks.copySource(
                "1.3.2. 启动 MC\n\nMC 可以这样启动起来。只需要按 F1。", List.of(new VerbatimBlock("MC 可以这样启动起来。", "$ mc")),
                true));
    }
}
