package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * ROUGE-L and ROUGE-Lsum as Google's rouge-score ({@code rouge/rouge_scorer.py}) computes {@code rougeL} and
 * {@code rougeLsum}: the F-measure of the longest common subsequence of tokens, per pair; for Lsum, texts are split
 * into sentences on newlines and the union LCS of each reference sentence against all candidate sentences counts,
 * without counting a token more often than it occurs (as ROUGE-1.5.5). Corpus figures are plain means over pairs
 * (rouge-score's BootstrapAggregator reports a bootstrap median instead, which is random; the mean is what it
 * estimates). See {@link RougeTokenizer} for the one deliberate difference, CJK characters.
 */
public final class Rouge {
    public static final String ROUGE_SCORE_VERSION = "0.1.2";

    private final PorterStemmer stemmer;

    /** @param stem whether to Porter-stem tokens, as rouge-score's {@code use_stemmer=True} */
    public Rouge(boolean stem) {
        this.stemmer = stem ? new PorterStemmer() : null;
    }

    /** rouge-score's default: no stemming. */
    public Rouge() {
        this(false);
    }


    /** How the scores were computed, in the manner of sacrebleu's signatures. */
    public String signature(String type) {
        return "type:" + type + "|tok:default|cjk:char|stem:" + (stemmer == null ? "no" : "porter-nltk")
                + "|agg:mean|version:" + ROUGE_SCORE_VERSION + "|impl:penwright";
    }

    /** {@code rougeL} of one pair (target = reference, prediction = hypothesis). */
    public RougeScore rougeL(String reference, String hypothesis) {
        List<String> ref = RougeTokenizer.tokenize(reference, stemmer);
        List<String> hyp = RougeTokenizer.tokenize(hypothesis, stemmer);
        if (ref.isEmpty() || hyp.isEmpty()) {
            return RougeScore.ZERO;
        }
        int lcs = lcsTable(ref, hyp)[ref.size()][hyp.size()];
        return RougeScore.of((double) lcs / hyp.size(), (double) lcs / ref.size());
    }

    /** {@code rougeLsum} of one pair: sentences are the non-empty lines. */
    public RougeScore rougeLsum(String reference, String hypothesis) {
        List<List<String>> refSents = sentences(reference);
        List<List<String>> hypSents = sentences(hypothesis);
        if (refSents.isEmpty() || hypSents.isEmpty()) {
            return RougeScore.ZERO;
        }
        int m = refSents.stream().mapToInt(List::size).sum();
        int n = hypSents.stream().mapToInt(List::size).sum();
        if (m == 0 || n == 0) {
            return RougeScore.ZERO;
        }
        Map<String, Integer> refCounts = counts(refSents);
        Map<String, Integer> hypCounts = counts(hypSents);
        int hits = 0;
        for (List<String> r : refSents) {
            for (String t : unionLcs(r, hypSents)) {
                // Each token counts at most as often as it occurs in both texts (ROUGE-1.5.5's double-count guard).
                if (hypCounts.getOrDefault(t, 0) > 0 && refCounts.getOrDefault(t, 0) > 0) {
                    hits++;
                    hypCounts.merge(t, -1, Integer::sum);
                    refCounts.merge(t, -1, Integer::sum);
                }
            }
        }
        return RougeScore.of((double) hits / n, (double) hits / m);
    }

    private List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        // Python's str.split("\n") keeps empty pieces; rouge-score then drops the empty strings only, so a line of
        // spaces stays as a sentence with no tokens.
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.add(RougeTokenizer.tokenize(line, stemmer));
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(List<List<String>> sentences) {
        Map<String, Integer> counts = new HashMap<>();
        sentences.forEach(s -> s.forEach(t -> counts.merge(t, 1, Integer::sum)));
        return counts;
    }

    private static List<String> unionLcs(List<String> ref, List<List<String>> candidates) {
        TreeSet<Integer> union = new TreeSet<>();
        for (List<String> c : candidates) {
            union.addAll(lcsIndices(ref, c));
        }
        List<String> out = new ArrayList<>(union.size());
        union.forEach(i -> out.add(ref.get(i)));
        return out;
    }

    private static int[][] lcsTable(List<String> ref, List<String> can) {
        int[][] t = new int[ref.size() + 1][can.size() + 1];
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= can.size(); j++) {
                t[i][j] = ref.get(i - 1).equals(can.get(j - 1)) ? t[i - 1][j - 1] + 1
                        : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t;
    }

    /**
     * One LCS as indices into {@code ref}, read back exactly as rouge-score's {@code _backtrack_norec} does: the
     * union LCS, and so Lsum, depends on which of several equally long LCS is chosen.
     */
    private static List<Integer> lcsIndices(List<String> ref, List<String> can) {
        int[][] t = lcsTable(ref, can);
        List<Integer> lcs = new ArrayList<>();
        int i = ref.size();
        int j = can.size();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(can.get(j - 1))) {
                lcs.add(i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        return lcs;
    }
}
