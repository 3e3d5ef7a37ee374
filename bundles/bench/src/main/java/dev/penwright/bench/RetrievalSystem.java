package dev.penwright.bench;

import dev.penwright.trainer.data.CorpusText;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Row 2: the nearest TRAIN text of the style, by TF-IDF cosine against the plan (title and neutral draft). It shows
 * what copying a real text of the voice scores without writing anything.
 */
public final class RetrievalSystem implements BenchSystem {
    private final Map<String, Index> indexes = new HashMap<>();

    /** Registers the training texts of a style; a style with none is reported as not available. */
    public void addStyle(String style, List<CorpusText> train) {
        indexes.put(style, new Index(train));
    }

    public String key() { return "retrieval"; }
    public String label() { return "Retrieval (nearest train text)"; }

    public Optional<String> unavailableReason(String style) {
        Index ix = indexes.get(style);
        return ix == null || ix.docs.isEmpty() ? Optional.of("no training texts of style " + style) : Optional.empty();
    }

    public String generate(String style, BenchItem item) {
        return indexes.get(style).nearest(item.plan().title() + "\n" + item.plan().neutralDraft()).text();
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

    /** An inverted index with idf weights, so a query touches only documents that share a term. */
    private static final class Index {
        final List<CorpusText> docs;
        final Map<String, List<int[]>> postings = new HashMap<>();
        final Map<String, Double> idf = new HashMap<>();
        final double[] norms;

        Index(List<CorpusText> docs) {
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

        CorpusText nearest(String query) {
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
            int best = 0;
            double bestScore = -1;
            for (int i = 0; i < dot.length; i++) {
                double s = norms[i] == 0 ? 0 : dot[i] / norms[i];
                if (s > bestScore) { // ties keep the earlier text: deterministic
                    bestScore = s;
                    best = i;
                }
            }
            return docs.get(best);
        }
    }
}
