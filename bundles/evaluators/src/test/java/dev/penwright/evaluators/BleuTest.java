package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class BleuTest {
    private final Bleu bleu13a = new Bleu(BleuTokenizer.THIRTEEN_A);
    private final Bleu bleuZh = new Bleu(BleuTokenizer.ZH);

    // The example of sacrebleu's README (and its test_bleu.py): two reference sets, BLEU = 48.53
    // 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18), exactly 48.530827.
    private static final List<String> HYPS = List.of("The dog bit the man.", "It wasn't surprising.",
            "The man had just bitten him.");
    private static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));

    @Test
    void sacrebleuReadmeExample() {
        BleuScore s = bleu13a.corpusMultiReference(HYPS, REFS);
        assertEquals(48.530827, s.score(), 1e-6);
        assertEquals(17, s.stats().hypLen());
        assertEquals(18, s.stats().refLen());
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)",
                s.verbose());
        assertEquals("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|impl:penwright", s.signature());
    }

    @Test
    void emptyHypothesesScoreZeroAndAreNotDropped() {
        // sacrebleu test_bleu.py: ('', '', '') against the README references is 0.0.
        BleuScore s = bleu13a.corpusMultiReference(List.of("", "", ""), REFS);
        assertEquals(0.0, s.score());
        assertEquals(0, s.stats().hypLen());
        assertEquals(0.0, s.bp());
    }

    @Test
    void scoringFromStatisticsMatchesSacrebleuTest() {
        // sacrebleu test_bleu.py test_case_scoring: correct [9,7,5,3], total [10,8,6,4], lengths 11/11 -> 0.8375922397.
        BleuStats stats = new BleuStats(11, 11, new int[] {9, 7, 5, 3}, new int[] {10, 8, 6, 4});
        assertEquals(83.75922397, bleu13a.score(stats, false).score(), 1e-7);
    }

    @Test
    void sentenceBleuOfSacrebleuIssue98() {
        // sacrebleu test_sentence_bleu.py: exp smoothing, 13a, effective order -> 8.493.
        String ref = "producţia de zahăr brut se exprimă în zahăr alb;";
        String sys = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
        assertEquals(8.493, bleu13a.sentence(sys, ref).score(), 1e-3);
    }

    @Test
    void noMatchesIsZeroAsInSacrebleuIssue141() {
        assertEquals(0.0, bleu13a.sentence("this is a cat", "okay thanks").score());
        assertEquals(0.0, bleu13a.corpus(List.of("this is a test", "another test"), List.of("ref1", "ref2")).score());
    }

    @Test
    void handComputedWithExpSmoothing() {
        // hyp: the cat sat on the mat | ref: the cat is on the mat  (6 tokens each, BP = 1)
        // 1-grams: hyp the x2, cat, sat, on, mat = 6; matched the x2, cat, on, mat = 5
        // 2-grams: the cat, cat sat, sat on, on the, the mat = 5; matched the cat, on the, the mat = 3
        // 3-grams: the cat sat, cat sat on, sat on the, on the mat = 4; matched on the mat = 1
        // 4-grams: the cat sat on, cat sat on the, sat on the mat = 3; matched none -> exp: 100 / (2 * 3)
        BleuScore s = bleu13a.sentence("the cat sat on the mat", "the cat is on the mat");
        assertArrayEquals(new int[] {5, 3, 1, 0}, s.stats().correct());
        assertArrayEquals(new int[] {6, 5, 4, 3}, s.stats().total());
        assertArrayEquals(new double[] {500.0 / 6, 60.0, 25.0, 100.0 / 6}, s.precisions(), 1e-9);
        double expected = Math.exp((Math.log(500.0 / 6) + Math.log(60) + Math.log(25) + Math.log(100.0 / 6)) / 4);
        assertEquals(expected, s.score(), 1e-9);
        assertEquals(37.99, s.score(), 0.005);
        // All four orders have n-grams, so corpus BLEU of this one pair is the same number.
        assertEquals(expected, bleu13a.corpus(List.of("the cat sat on the mat"), List.of("the cat is on the mat"))
                .score(), 1e-9);
    }

    @Test
    void shortHypothesisEffectiveOrderAndBrevityPenalty() {
        // hyp: the cat (2 tokens) | ref: the cat sat on the mat (6 tokens)
        // 1-grams 2/2, 2-grams 1/1, no 3- or 4-grams. BP = exp(1 - 6/2) = exp(-2).
        // Sentence BLEU (effective order 2): exp(-2) * 100. Corpus BLEU (order 4): the missing orders are log(0),
        // floored to -9999999999, so 0.
        BleuScore sentence = bleu13a.sentence("the cat", "the cat sat on the mat");
        assertEquals(Math.exp(-2), sentence.bp(), 1e-12);
        assertEquals(100 * Math.exp(-2), sentence.score(), 1e-9);
        assertEquals("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0|impl:penwright",
                sentence.signature());
        assertEquals(0.0, bleu13a.corpus(List.of("the cat"), List.of("the cat sat on the mat")).score(), 1e-12);
    }

    @Test
    void corpusSumsStatisticsRatherThanAveraging() {
        // Pair 1: identical 4-token sentences: 4/4, 3/3, 2/2, 1/1. Pair 2: "x y" vs "a b": 0/2, 0/1.
        // Sums: 4/6, 3/4, 2/2, 1/1, lengths 6/6 -> exp((ln 66.67 + ln 75 + ln 100 + ln 100) / 4).
        BleuScore s = bleu13a.corpus(List.of("a b c d", "x y"), List.of("a b c d", "a b"));
        assertArrayEquals(new int[] {4, 3, 2, 1}, s.stats().correct());
        assertArrayEquals(new int[] {6, 4, 2, 1}, s.stats().total());
        double expected = Math.exp((Math.log(400.0 / 6) + Math.log(75) + Math.log(100) + Math.log(100)) / 4);
        assertEquals(expected, s.score(), 1e-9);
    }

    @Test
    void identicalTextsScore100AndCaseMatters() {
        String text = "The Debian project produces an entirely free operating system.";
        assertEquals(100.0, bleu13a.sentence(text, text).score(), 1e-9);
        assertEquals(100.0, bleu13a.corpus(List.of(text), List.of(text)).score(), 1e-9);
        // Case-sensitive: "the" != "The" drops one unigram and the n-grams that contain it.
        assertEquals(true, bleu13a.sentence(text.replace("The", "the"), text).score() < 100);
    }

    @Test
    void trailingWhitespaceIsIgnoredAsSacrebleuRstrips() {
        assertEquals(bleu13a.stats("a b c", "a b c"), bleu13a.stats("a b c \u00a0\n", "a b c"));
    }

    @Test
    void chineseCharactersAreTokensUnderZh() {
        // hyp 我 爱 北 京 (4 tokens) | ref 我 爱 北 京 天 安 门 (7 tokens)
        // 1-grams 4/4, 2-grams 3/3, 3-grams 2/2, 4-grams 1/1; BP = exp(1 - 7/4).
        BleuScore s = bleuZh.sentence("我爱北京", "我爱北京天安门");
        assertArrayEquals(new int[] {4, 3, 2, 1}, s.stats().correct());
        assertEquals(100 * Math.exp(1 - 7.0 / 4), s.score(), 1e-9);
        assertEquals("nrefs:1|case:mixed|eff:yes|tok:zh|smooth:exp|version:2.6.0|impl:penwright", s.signature());
        // Under 13a the same text is one token each: no match at all.
        assertEquals(0.0, bleu13a.sentence("我爱北京", "我爱北京天安门").score());
    }

    @Test
    void mismatchedListsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> bleu13a.corpus(List.of("a"), List.of()));
    }
}
