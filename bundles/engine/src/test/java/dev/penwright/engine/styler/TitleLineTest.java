package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.penwright.api.style.Exemplar;

class TitleLineTest {
    @Test
    void aStyleTitlesItsTextsWhenMostOpenWithTheirTitlesLine() {
        Exemplar heading = new Exemplar("a", "1.1.1.\u00A0shell 提示符", "1.1.1.\u00A0shell 提示符\n\n    启动系统之后……");
        Exemplar another = new Exemplar("b", "要有礼貌", "要有礼貌\n\n在 Debian 这种规模的项目中……");
        Exemplar entry = new Exemplar("c", "ABEND", "/a'bend/, /*ah'bend/, n.\n\n[ABnormal END] Abnormal termination.");
        assertTrue(TitleLine.styleTitles(List.of(heading, another, entry)));
        assertFalse(TitleLine.styleTitles(List.of(heading, entry, entry)), "a dictionary's headword is its title");
        assertFalse(TitleLine.styleTitles(List.of()));
    }

    @Test
    void theDraftsFirstSentenceThatIsTheTitleBecomesItsLine() {
        assertEquals("1.1.1. shell 提示符\n\n启动系统之后，你就会看到字符登录界面。",
                TitleLine.copySource("1.1.1.\u00A0shell 提示符", "1.1.1. shell 提示符。启动系统之后，你就会看到字符登录界面。"));
        assertEquals("Rockets\n\nAcme makes rockets.", TitleLine.copySource("Rockets", "Rockets. Acme makes rockets."));
        assertEquals("Rockets", TitleLine.copySource("Rockets", "Rockets."));
    }

    @Test
    void aTitleThatOnlyBeginsTheFirstSentenceLeavesTheDraftAsItIs() {
        assertEquals("Acme makes rockets.", TitleLine.copySource("Acme", "Acme makes rockets."));
        assertEquals("子曰：“学而时习之，不亦说乎？”", TitleLine.copySource("子曰：“学而时习之", "子曰：“学而时习之，不亦说乎？”"));
        assertEquals("Acme makes rockets. Acme sells them.",
                TitleLine.copySource("Acme sells", "Acme makes rockets. Acme sells them."), "held inside the draft");
        // A planner's title of a fortune is its first sentence, quotation open: set apart it would split the quotation.
        assertEquals("子曰：\"人而不仁，如礼何？人而不仁，如乐何？\"《论语》八佾。",
                TitleLine.copySource("子曰：\"人而不仁，如礼何", "子曰：\"人而不仁，如礼何？人而不仁，如乐何？\"《论语》八佾。"));
        assertEquals("身不宜忙，而忙于闲暇之时；心不可放。", TitleLine.copySource("身不宜忙，而忙于闲暇之时；心不可放",
                "身不宜忙，而忙于闲暇之时；心不可放。"));
        assertTrue(TitleLine.isHeading("9.5.15. 通过 \"mount --bind\" 挂载另一个目录来扩展可用存储空间"));
        // A fortune's title is its first verse line, a sentence: set apart it would split the quotation.
        assertEquals("子曰：\"君子不重则不威，学则不固。主忠信。\"论语。",
                TitleLine.copySource("子曰：\"君子不重则不威，学则不固。", "子曰：\"君子不重则不威，学则不固。主忠信。\"论语。"));
    }

    @Test
    void aDraftThatDoesNotOpenWithTheTitleStaysAsItIs() {
        // Titles cut short with an ellipsis, or naming a command line the neutraliser dropped, hold what the draft
        // does not: put in front, they would add it.
        assertEquals("Acme makes them.", TitleLine.copySource("Rockets", "Acme makes them."));
        assertEquals("关闭系统。", TitleLine.copySource("systemctl halt", "关闭系统。"));
        assertEquals("Acme makes them.", TitleLine.copySource(" ", "Acme makes them."));
    }

    @Test
    void theTitleMatchesWhereTheDraftDropsASpaceOrCapitalisesItsFirstLetter() {
        assertEquals("9.5.15.通过 mount 扩展存储空间\n\n如果你有空目录。",
                TitleLine.copySource("9.5.15.\u00A0通过 mount 扩展存储空间", "9.5.15.通过 mount 扩展存储空间。如果你有空目录。"));
        assertEquals("Systemctl halt\n\n关闭系统。", TitleLine.copySource("systemctl halt", "Systemctl halt。关闭系统。"));
    }
}
