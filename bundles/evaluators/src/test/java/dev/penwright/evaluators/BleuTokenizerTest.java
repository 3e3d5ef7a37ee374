package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Expected outputs worked out by hand from sacrebleu's regexes (tokenizer_re.py, tokenizer_13a.py, tokenizer_zh.py). */
class BleuTokenizerTest {
    private static String t13a(String s) {
        return BleuTokenizer.THIRTEEN_A.tokenize(s);
    }

    private static String tZh(String s) {
        return BleuTokenizer.ZH.tokenize(s);
    }

    @Test
    void punctuationIsSplitOff() {
        assertEquals("Hello , world !", t13a("Hello, world!"));
        // The apostrophe (0x27) falls between the ranges " -&" and "(-+": 13a keeps it inside the word.
        assertEquals("It wasn't surprising .", t13a("It wasn't surprising."));
        assertEquals("( see { UN * X } )", t13a("(see {UN*X})"));
    }

    @Test
    void periodsAndCommasBetweenDigitsStay() {
        // "$" is split by the first regex; "3.50" and "3,000" keep their separators; "50," and "yen." split.
        assertEquals("It costs $ 3.50 , or 3,000 yen .", t13a("It costs $3.50, or 3,000 yen."));
    }

    @Test
    void dashSplitsOnlyAfterADigit() {
        assertEquals("1990 - 2000 e-mail", t13a("1990-2000 e-mail"));
    }

    @Test
    void languageIndependentPart() {
        assertEquals("\" quoted \" & < >", t13a("&quot;quoted&quot; &amp; &lt; &gt;"));
        assertEquals("a b", t13a("a <skipped>b"));
        assertEquals("hyphenated", t13a("hyphen-\nated"));
        assertEquals("two lines", t13a("two\nlines"));
    }

    @Test
    void leadingPeriodDependsOnPadding() {
        // 13a pads with spaces, so " .5" matches ([^0-9])([.,]) and the period is split; zh does not pad.
        assertEquals(". 5", t13a(".5"));
        assertEquals(".5", tZh(".5"));
    }

    @Test
    void zhSplitsEveryChineseCharacter() {
        assertEquals("我 爱 北 京 天 安 门 。", tZh("我爱北京天安门。"));
        assertEquals("Linux 是 自 由 软 件 , version 2.6", tZh("Linux是自由软件, version 2.6"));
        // Full-width forms (U+FF00..U+FFEF) count as Chinese characters.
        assertEquals("共 １ ２ 人", tZh("共１２人"));
    }

    @Test
    void zhKeepsAFinalPeriodAfterADigitAsItHasNoPadding() {
        // ([.,])([^0-9]) needs a character after the period; at the end of an unpadded line there is none.
        assertEquals("版 本 2.6.", tZh("版本 2.6."));
        assertEquals("版 本 2.6 .", t13a("版本 2.6.").replace("版本", "版 本"));
    }

    @Test
    void zhRangesAsPythonReadsSacrebleusTable() {
        // '\u20000'..'\u2a6d6' is read by Python as U+2000 '0' .. U+2A6D '6': effectively U+2001..U+2A6D.
        assertTrue(BleuTokenizer.isChineseChar(0x201C)); // left double quotation mark
        assertTrue(BleuTokenizer.isChineseChar(0x2014)); // em dash
        assertFalse(BleuTokenizer.isChineseChar(0x2000));
        assertTrue(BleuTokenizer.isChineseChar(0x2A6D));
        assertFalse(BleuTokenizer.isChineseChar(0x2A6E));
        assertFalse(BleuTokenizer.isChineseChar(0x20000)); // CJK Extension B itself is not covered
        assertTrue(BleuTokenizer.isChineseChar(0x2F81));
        assertEquals("“ 你 好 ” — 他 说", tZh("“你好”—他说"));
    }

    @Test
    void pythonWhitespaceSeparatesTokens() {
        // NBSP and the ideographic space are whitespace to Python's str.split().
        assertEquals("a b c", t13a("a\u00a0b\u3000c"));
        assertEquals("", t13a(""));
        assertEquals("", tZh("   "));
    }
}
