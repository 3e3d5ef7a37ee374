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
