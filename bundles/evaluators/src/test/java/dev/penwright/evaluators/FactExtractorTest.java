package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FactExtractorTest {
    private final FactExtractor extractor = new FactExtractor();

    private List<String> facts(String text) {
        return extractor.extract(text).stream().map(Fact::toString).toList();
    }

    @Test
    void englishNumbersDatesNamesQuotes() {
        List<Fact> f = extractor.extract("The library, written by Linus Torvalds, was released on March 5, 2021 "
                + "and uses 64 MB of memory, 30% less than \"libfoo\" did.");
        assertTrue(f.contains(new Fact(Fact.Kind.NAME, "Linus Torvalds", "linus torvalds", "")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.DATE, "March 5, 2021", "3-5-2021", "")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.NUMBER, "64 MB", "64", "mb")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.NUMBER, "30%", "30", "%")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.QUOTED, "\"libfoo\"", "libfoo", "")), f.toString());
        // "The" opens the sentence and is not a name.
        assertTrue(f.stream().noneMatch(x -> x.text().startsWith("The")), f.toString());
    }

    @Test
    void thousandsSeparatorsAndIsoDates() {
        assertEquals(List.of("date:2024-03-05", "number:1,000 people"), facts("On 2024-03-05, 1,000 people came."));
        assertEquals("1000", extractor.extract("1,000 people").get(0).key());
    }

    @Test
    void chineseNumeralsAndDigits() {
        List<Fact> f = extractor.extract("他在2024年写了三千五百字，用了两天，排名第三。《道德经》很短。");
        assertTrue(f.contains(new Fact(Fact.Kind.NUMBER, "2024年", "2024", "年")), f.toString());
        assertTrue(f.stream().anyMatch(x -> x.key().equals("3500")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.NUMBER, "两天", "2", "天")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.NUMBER, "第三", "3", "第")), f.toString());
        assertTrue(f.contains(new Fact(Fact.Kind.QUOTED, "《道德经》", "道德经", "")), f.toString());
        // Idiomatic numerals without a unit are not claims: 一样, 千万.
        assertEquals(List.of(), facts("千万不要一样。"));
        // Full-width digits are digits.
        assertEquals("12", extractor.extract("共１２人").get(0).key());
    }

    @Test
    void chineseNumeralValues() {
        assertEquals(15, ChineseNumerals.parse("十五"));
        assertEquals(3500, ChineseNumerals.parse("三千五百"));
        assertEquals(20000, ChineseNumerals.parse("两万"));
        assertEquals(2024, ChineseNumerals.parse("二〇二四"));
        assertEquals(150_000_000L, ChineseNumerals.parse("一亿五千万"));
        assertEquals(10000, ChineseNumerals.parse("万"));
        assertEquals(-1, ChineseNumerals.parse("五x"));
    }

    @Test
    void supportNumbersAcceptAnyNotation() {
        assertTrue(extractor.supportNumbers("共三千人").contains("3000"));
        assertTrue(extractor.supportNumbers("version 2.6.0, 1,500 users").containsAll(List.of("2.6.0", "1500", "6")));
    }
}
