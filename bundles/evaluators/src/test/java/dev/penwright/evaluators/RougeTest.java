package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class RougeTest {
    private final Rouge rouge = new Rouge();

    @Test
    void rougeScoreUnitTestValues() {
        // rouge_scorer_test.py: target "testing one two".
        RougeScore consecutive = rouge.rougeL("testing one two", "testing one");
        assertEquals(1.0, consecutive.precision(), 1e-12);
        assertEquals(2.0 / 3, consecutive.recall(), 1e-12);
        assertEquals(0.8, consecutive.fmeasure(), 1e-12);
        assertEquals(0.8, rouge.rougeL("testing one two", "testing two").fmeasure(), 1e-12);
        assertEquals(RougeScore.ZERO, rouge.rougeL("testing one two", ""));
    }

    @Test
    void againstRouge155OnRougeScoresTestData() {
        // The first two lines of rouge-score's testdata/target.txt and prediction.txt (google-research, Apache-2.0),
        // whose expected values rouge-score's tests took from ROUGE-1.5.5.
        String t0 = "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM "
                + "EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n";
        String p0 = "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n";
        String t1 = "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m "
                + "qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing "
                + "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n";
        String p1 = "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J "
                + "XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n";
        RougeScore s0 = rouge.rougeL(t0, p0);
        assertEquals(0.40741, s0.recall(), 5e-6);
        assertEquals(0.68750, s0.precision(), 5e-6);
        assertEquals(0.51163, s0.fmeasure(), 5e-6);
        RougeScore s1 = rouge.rougeL(t1, p1);
        assertEquals(0.40476, s1.recall(), 5e-6);
        assertEquals(0.65385, s1.precision(), 5e-6);
        assertEquals(0.50000, s1.fmeasure(), 5e-6);
    }

    @Test
    void rougeLsumUnionLcs() {
        // rouge_scorer_test.py testRougeLsum: ref w1..w5; candidate sentences give LCS {w1,w2} and {w1,w3,w5};
        // union {w1,w2,w3,w5} = 4 hits, recall 4/5, precision 4/10.
        RougeScore s = rouge.rougeLsum("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5");
        assertEquals(0.8, s.recall(), 1e-12);
        assertEquals(0.4, s.precision(), 1e-12);
        assertEquals(2 * 0.8 * 0.4 / 1.2, s.fmeasure(), 1e-12);
        assertEquals(RougeScore.ZERO, rouge.rougeLsum("w1 w2 w3 w4 w5", ""));
        assertEquals(RougeScore.ZERO, rouge.rougeLsum("", "w1"));
        assertEquals(RougeScore.ZERO, rouge.rougeLsum("w1 w2 w3 w4 w5", "/"));
    }

    @Test
    void rougeLsumDoesNotCountATokenTwice() {
        // ref "a b" / "a"; hyp "a" : union LCS of "a b" is [a], of "a" is [a], but the hypothesis has one "a":
        // hits = 1, recall 1/3, precision 1/1.
        RougeScore s = rouge.rougeLsum("a b\na", "a");
        assertEquals(1.0 / 3, s.recall(), 1e-12);
        assertEquals(1.0, s.precision(), 1e-12);
    }

    @Test
    void handComputedRougeL() {
        // ref: the cat sat on the mat (6) | hyp: the cat is on a mat (6)
        // LCS = the cat on mat = 4 -> P = R = F = 4/6. Punctuation and case do not matter.
        RougeScore s = rouge.rougeL("The cat sat on the mat.", "the CAT is on a mat!");
        assertEquals(4.0 / 6, s.fmeasure(), 1e-12);
    }

    @Test
    void tokenizerMatchesRougeScoreOnAscii() {
        assertEquals(List.of("it", "s", "a", "test", "3", "14", "gnu", "linux"),
                RougeTokenizer.tokenize("It's a test: 3.14 -- GNU/Linux"));
        // Non-ASCII letters are separators for rouge-score (café -> caf).
        assertEquals(List.of("caf", "na", "ve"), RougeTokenizer.tokenize("café naïve"));
    }

    @Test
    void cjkCharactersAreTokens() {
        assertEquals(List.of("我", "爱", "debian", "系", "统"), RougeTokenizer.tokenize("我爱Debian系统。"));
        // ref 床前明月光 | hyp 床前看月光: LCS 床前月光 = 4 of 5 each way.
        RougeScore s = rouge.rougeL("床前明月光，疑是地上霜。", "床前看月光，疑是地上霜。");
        // ref tokens 10, hyp tokens 10, LCS 9.
        assertEquals(0.9, s.fmeasure(), 1e-12);
    }

    @Test
    void identicalAndEmpty() {
        String text = "Jargon is the argot of hackers.\nIt is witty.";
        assertEquals(1.0, rouge.rougeL(text, text).fmeasure(), 1e-12);
        assertEquals(1.0, rouge.rougeLsum(text, text).fmeasure(), 1e-12);
        assertEquals(RougeScore.ZERO, rouge.rougeL("", ""));
        assertEquals(RougeScore.ZERO, rouge.rougeLsum("", ""));
    }
}
