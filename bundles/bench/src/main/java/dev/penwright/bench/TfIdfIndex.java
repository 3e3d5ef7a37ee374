package dev.penwright.bench;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.trainer.data.CorpusText;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An inverted index with idf weights, so a query touches only documents that share a term. */
final class TfIdfIndex {
    final List<CorpusText> docs;
    final Map<String, List<int[]>> postings = new HashMap<>();
    final Map<String, Double> idf = new HashMap<>();
    final double[] norms;

    TfIdfIndex(List<CorpusText> docs) {
        this.docs = List.copyOf(docs);
        List<Map<String, Integer>> tfs = new ArrayList<>();
        Map<String, Integer> df = new HashMap<>();
        for (CorpusText d : this.docs) {
            Map<String, Integer> tf = new HashMap<>();
            for (String t : tokens(d.title() + "\n" + d.text())) {
                tf.merge(t, 1, Integer::sum);
            }
            tf.keySet().forEach(t -> df.merge(t, 1, Integer::sum));
            tfs.add(tf);
        }
        df.forEach((t, n) -> idf.put(t, Math.log((1.0 + this.docs.size()) / (1.0 + n)) + 1.0));
        norms = new double[this.docs.size()];
        for (int i = 0; i < tfs.size(); i++) {
            double sq = 0;
            for (Map.Entry<String, Integer> e : tfs.get(i).entrySet()) {
                double w = e.getValue() * idf.get(e.getKey());
                sq += w * w;
                postings.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new int[]{i, e.getValue()});
            }
            norms[i] = Math.sqrt(sq);
        }
    }

    List<CorpusText> docs() {
        return docs;
    }

    /** What the retrieval row and the few-shot exemplars search with: the plan's title and neutral draft. */
    static String query(ContentPlan plan) {
        return plan.title() + "\n" + plan.neutralDraft();
    }

    /** The {@code k} texts most similar to the query by TF-IDF cosine, most similar first; ties keep file order. */
    List<CorpusText> nearest(String query, int k) {
        Map<String, Integer> q = new HashMap<>();
        for (String t : tokens(query)) {
            q.merge(t, 1, Integer::sum);
        }
        double[] dot = new double[docs.size()];
        for (Map.Entry<String, Integer> e : q.entrySet()) {
            Double w = idf.get(e.getKey());
            if (w == null) {
                continue;
            }
            for (int[] p : postings.get(e.getKey())) {
                dot[p[0]] += e.getValue() * w * p[1] * w;
            }
        }
        double[] score = new double[docs.size()];
        for (int i = 0; i < dot.length; i++) {
            score[i] = norms[i] == 0 ? 0 : dot[i] / norms[i];
        }
        // A bounded selection, not a sort of the whole corpus: k is small.
        List<Integer> best = new ArrayList<>();
        for (int i = 0; i < score.length; i++) {
            int at = best.size();
            while (at > 0 && score[best.get(at - 1)] < score[i]) { // strictly greater moves up: ties keep file order
                at--;
            }
            if (at < k) {
                best.add(at, i);
                if (best.size() > k) {
                    best.remove(best.size() - 1);
                }
            }
        }
        return best.stream().map(docs::get).toList();
    }

    /** Lowercased alphanumeric runs; every CJK character is a token of its own. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        String s = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean han = Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
            if (Character.isLetterOrDigit(cp) && !han) {
                word.appendCodePoint(cp);
                continue;
            }
            if (!word.isEmpty()) {
                out.add(word.toString());
                word.setLength(0);
            }
            if (han) {
                out.add(new String(Character.toChars(cp)));
            }
        }
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        return out;
    }
}
