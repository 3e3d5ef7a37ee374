package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sentence salience by TextRank (Mihalcea and Tarau, 2004): sentences are nodes, edges weigh their word overlap
 * normalised by log length, and PageRank over that graph scores each sentence. English is compared on content
 * words, Chinese on character bigrams. Fully deterministic: fixed iteration count, no randomness.
 */
final class TextRank {
    /** Above this many sentences only the first ones are ranked: the graph is quadratic in the sentence count. */
    static final int MAX_RANKED = 400;
    private static final double DAMPING = 0.85;
    private static final int ITERATIONS = 40;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Set<String> STOPWORDS = Set.of("the", "a", "an", "of", "and", "or", "to", "in", "is",
            "it", "for", "on", "with", "that", "this", "as", "by", "be", "are", "was", "were", "from", "at", "can",
            "you", "not", "which", "its", "has", "have", "had", "will", "but", "if", "so", "such", "also", "than",
            "then", "there", "their", "they", "he", "she", "we", "his", "her", "our", "your", "i", "been", "being",
            "do", "does", "did", "into", "about", "these", "those", "some", "any", "all", "more", "most", "other",
            "may", "might", "would", "should", "could", "one", "see", "who", "what", "when", "where", "how");

    double[] rank(List<String> sentences) {
        int n = Math.min(sentences.size(), MAX_RANKED);
        double[] scores = new double[sentences.size()];
        if (n == 0) {
            return scores;
        }
        List<Set<String>> terms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            terms.add(terms(sentences.get(i)));
        }
        double[][] weight = new double[n][n];
        double[] outSum = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double w = similarity(terms.get(i), terms.get(j));
                weight[i][j] = w;
                weight[j][i] = w;
                outSum[i] += w;
                outSum[j] += w;
            }
        }
        double[] r = new double[n];
        java.util.Arrays.fill(r, 1.0 / n);
        for (int it = 0; it < ITERATIONS; it++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    if (weight[j][i] > 0) {
                        sum += weight[j][i] / outSum[j] * r[j];
                    }
                }
                next[i] = (1 - DAMPING) / n + DAMPING * sum;
            }
            r = next;
        }
        for (int i = 0; i < n; i++) {
            // A mild lead bias: openings of descriptions and briefs state the subject; it also orders ties.
            scores[i] = r[i] * (1.0 + 0.5 / (1 + i)) + terms.get(i).size() * 1e-6;
        }
        return scores;
    }

    static Set<String> terms(String sentence) {
        Set<String> terms = new HashSet<>();
        Matcher m = WORD.matcher(sentence.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String word = m.group();
            if (word.codePoints().anyMatch(SentenceSplitter::isCjk)) {
                int[] cps = word.codePoints().toArray();
                if (cps.length == 1) {
                    terms.add(word);
                }
                for (int i = 0; i + 1 < cps.length; i++) {
                    terms.add(new String(cps, i, 2));
                }
            } else if (!STOPWORDS.contains(word) && word.length() > 1) {
                terms.add(word.length() > 4 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word);
            }
        }
        return terms;
    }

    private static double similarity(Set<String> a, Set<String> b) {
        if (a.size() < 1 || b.size() < 1) {
            return 0;
        }
        int common = 0;
        for (String t : a.size() < b.size() ? a : b) {
            if ((a.size() < b.size() ? b : a).contains(t)) {
                common++;
            }
        }
        double norm = Math.log(a.size() + 1.0) + Math.log(b.size() + 1.0);
        return common == 0 ? 0 : common / norm;
    }
}
