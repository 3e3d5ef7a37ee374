package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.penwright.api.plan.Material;

/** Scores pairs: corpus BLEU-4, mean ROUGE-L and ROUGE-Lsum, per-pair figures, and facts checked against sources. */
public final class PairsScorer {
    private final Rouge rouge;
    private final HallucinationChecker checker = new HallucinationChecker();

    /** @param stemRouge Porter-stem ROUGE tokens, as rouge-score's {@code use_stemmer=True} */
    public PairsScorer(boolean stemRouge) {
        this.rouge = new Rouge(stemRouge);
    }

    /** rouge-score's defaults: no stemming. */
    public PairsScorer() {
        this(false);
    }

    /** @param language "en" or "zh" */
    public PairsReport score(List<Pair> pairs, String language) {
        if (!language.equals("en") && !language.equals("zh")) {
            throw new IllegalArgumentException("language must be en or zh, got \"" + language + "\"");
        }
        Bleu bleu = new Bleu(BleuTokenizer.forLanguage(language));
        List<PairsReport.Item> items = new ArrayList<>();
        List<HallucinationReport.Item> checked = new ArrayList<>();
        double sumL = 0;
        double sumLsum = 0;
        for (Pair p : pairs) {
            double l = 100 * rouge.rougeL(p.reference(), p.hypothesis()).fmeasure();
            double lsum = 100 * rouge.rougeLsum(p.reference(), p.hypothesis()).fmeasure();
            sumL += l;
            sumLsum += lsum;
            List<String> unsupported = null;
            if (p.source() != null) {
                HallucinationReport.Item h = checker.check(p.id(), p.hypothesis(), Material.ofArticle(p.source()),
                        null);
                checked.add(h);
                unsupported = h.unsupported().stream().map(Fact::text).toList();
            }
            items.add(new PairsReport.Item(p.id(), bleu.sentence(p.hypothesis(), p.reference()).score(), l, lsum,
                    unsupported));
        }
        BleuScore corpus = bleu.corpus(pairs.stream().map(Pair::hypothesis).toList(),
                pairs.stream().map(Pair::reference).toList());
        int n = pairs.size();
        Map<String, String> signatures = new LinkedHashMap<>();
        signatures.put("bleu4", corpus.signature());
        signatures.put("sentenceBleu4", bleu.signature(true));
        signatures.put("rougeL", rouge.signature("rougeL"));
        signatures.put("rougeLsum", rouge.signature("rougeLsum"));
        double factual = Double.NaN;
        if (!checked.isEmpty()) {
            factual = HallucinationChecker.summarise(checked).factualRate();
            signatures.put("factualHallucination", HallucinationChecker.signature() + "|support:source");
        }
        return new PairsReport(language, corpus.score(), n == 0 ? 0 : sumL / n, n == 0 ? 0 : sumLsum / n, factual,
                signatures, items);
    }
}
