package dev.penwright.evaluators;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU as sacrebleu 2.x computes it with its defaults: one reference, case-sensitive, the {@code 13a} tokenizer (or
 * {@code zh}), {@code exp} smoothing, maximum n-gram order 4. Corpus BLEU sums each segment's statistics and computes
 * once; sentence BLEU uses the effective order, as sacrebleu's {@code sentence_bleu} does. This is Penwright's own
 * reimplementation of sacrebleu's {@code metrics/bleu.py}, and its signatures say so ({@code impl:penwright}).
 */
public final class Bleu {
    /** The sacrebleu release whose computation this reproduces (unchanged in BLEU and tokenizers since 2.0). */
    public static final String SACREBLEU_VERSION = "2.6.0";
    public static final int MAX_ORDER = 4;

    private final BleuTokenizer tokenizer;

    public Bleu(BleuTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public BleuTokenizer tokenizer() {
        return tokenizer;
    }

    /** sacrebleu's signature, such as {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|impl:penwright}. */
    public String signature(boolean effectiveOrder) {
        return signature(effectiveOrder, 1);
    }

    /** The signature for {@code nrefs} references a hypothesis. */
    public String signature(boolean effectiveOrder, int nrefs) {
        return "nrefs:" + nrefs + "|case:mixed|eff:" + (effectiveOrder ? "yes" : "no") + "|tok:" + tokenizer.signature()
                + "|smooth:exp|version:" + SACREBLEU_VERSION + "|impl:penwright";
    }

    /** The statistics of one hypothesis against one reference. */
    public BleuStats stats(String hypothesis, String reference) {
        return stats(hypothesis, List.of(reference));
    }

    /**
     * The statistics of one hypothesis against several references: n-gram counts are clipped by the largest count
     * in any reference, and the reference length is the one closest to the hypothesis length (the shorter on a tie).
     */
    public BleuStats stats(String hypothesis, List<String> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("BLEU needs at least one reference");
        }
        // sacrebleu right-strips each segment before tokenizing (BLEU._preprocess_segment).
        List<String> hyp = tokenizer.tokens(PythonText.rstrip(hypothesis));
        Map<String, Integer> refCounts = new HashMap<>();
        int refLen = -1;
        int closestDiff = -1;
        for (String reference : references) {
            List<String> ref = tokenizer.tokens(PythonText.rstrip(reference));
            ngramCounts(ref).forEach((k, v) -> refCounts.merge(k, v, Math::max));
            int diff = Math.abs(hyp.size() - ref.size());
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                refLen = ref.size();
            } else if (diff == closestDiff && ref.size() < refLen) {
                refLen = ref.size();
            }
        }
        Map<String, Integer> hypCounts = ngramCounts(hyp);
        int[] correct = new int[MAX_ORDER];
        int[] total = new int[MAX_ORDER];
        for (Map.Entry<String, Integer> e : hypCounts.entrySet()) {
            int order = order(e.getKey());
            total[order - 1] += e.getValue();
            Integer inRef = refCounts.get(e.getKey());
            if (inRef != null) {
                correct[order - 1] += Math.min(e.getValue(), inRef);
            }
        }
        return new BleuStats(hyp.size(), refLen, correct, total);
    }

    /** Corpus BLEU: the sum of every pair's statistics, then one score (no effective order, as sacrebleu's corpus_bleu). */
    public BleuScore corpus(List<String> hypotheses, List<String> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("BLEU needs one reference per hypothesis: got " + hypotheses.size()
                    + " hypotheses and " + references.size() + " references");
        }
        BleuStats sum = BleuStats.zero(MAX_ORDER);
        for (int i = 0; i < hypotheses.size(); i++) {
            sum = sum.plus(stats(hypotheses.get(i), references.get(i)));
        }
        return score(sum, false);
    }

    /**
     * Corpus BLEU with several references per hypothesis, laid out as sacrebleu takes them: one stream per
     * reference set, each as long as the hypotheses.
     */
    public BleuScore corpusMultiReference(List<String> hypotheses, List<List<String>> referenceStreams) {
        for (List<String> stream : referenceStreams) {
            if (stream.size() != hypotheses.size()) {
                throw new IllegalArgumentException("each reference stream needs one reference per hypothesis: got "
                        + stream.size() + " for " + hypotheses.size() + " hypotheses");
            }
        }
        BleuStats sum = BleuStats.zero(MAX_ORDER);
        for (int i = 0; i < hypotheses.size(); i++) {
            int at = i;
            sum = sum.plus(stats(hypotheses.get(i), referenceStreams.stream().map(s -> s.get(at)).toList()));
        }
        return score(sum, false, referenceStreams.size());
    }

    /** Sentence BLEU with the effective order, as sacrebleu's {@code sentence_bleu}. */
    public BleuScore sentence(String hypothesis, String reference) {
        return score(stats(hypothesis, reference), true);
    }

    /** sacrebleu's {@code BLEU.compute_bleu} with {@code smooth_method='exp'}. */
    public BleuScore score(BleuStats stats, boolean effectiveOrder) {
        return score(stats, effectiveOrder, 1);
    }

    /** {@link #score(BleuStats, boolean)} for statistics gathered against {@code nrefs} references a hypothesis. */
    public BleuScore score(BleuStats stats, boolean effectiveOrder, int nrefs) {
        int sysLen = stats.hypLen();
        int refLen = stats.refLen();
        int[] correct = stats.correct();
        int[] total = stats.total();
        double bp = 1.0;
        if (sysLen < refLen) {
            bp = sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
        }
        double[] precisions = new double[MAX_ORDER];
        boolean anyMatch = false;
        for (int c : correct) {
            anyMatch |= c != 0;
        }
        String signature = signature(effectiveOrder, nrefs);
        if (!anyMatch) {
            return new BleuScore(0.0, precisions, bp, stats, signature);
        }
        double smoothMteval = 1.0;
        int effOrder = MAX_ORDER;
        for (int n = 1; n <= MAX_ORDER; n++) {
            if (total[n - 1] == 0) {
                break;
            }
            if (effectiveOrder) {
                effOrder = n;
            }
            if (correct[n - 1] == 0) {
                // NIST "exp" smoothing: each further order without a match gets half the previous pseudo-count.
                smoothMteval *= 2;
                precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0;
        for (int i = 0; i < effOrder; i++) {
            logSum += flooredLog(precisions[i]);
        }
        return new BleuScore(bp * Math.exp(logSum / effOrder), precisions, bp, stats, signature);
    }

    /** sacrebleu's {@code my_log}: log, with log(0) floored to -9999999999 so that the score becomes 0. */
    private static double flooredLog(double x) {
        return x == 0.0 ? -9999999999.0 : Math.log(x);
    }

    private static Map<String, Integer> ngramCounts(List<String> tokens) {
        Map<String, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                // Tokens never contain spaces, so a space-joined key is unambiguous; the order is the space count + 1.
                counts.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int order(String ngram) {
        int spaces = 0;
        for (int i = 0; i < ngram.length(); i++) {
            if (ngram.charAt(i) == ' ') {
                spaces++;
            }
        }
        return spaces + 1;
    }
}
