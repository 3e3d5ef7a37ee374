package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.penwright.api.eval.Evaluation;
import dev.penwright.api.eval.EvaluationInput;
import dev.penwright.api.eval.Evaluator;
import dev.penwright.api.eval.Score;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StylePack;
import dev.penwright.evaluators.StyleClassifier;

/**
 * Style consistency: P(target style | text) x 100 from a {@link StyleClassifier} trained on the exemplars of the
 * installed style packs, each style against the others. Packs come and go while the server runs (dynamic greedy
 * reference); the classifier is retrained on first use after the set of packs changed, and never while a pack set
 * is unchanged. With fewer than two styles installed there is nothing to contrast, and nothing is scored.
 */
@Component(service = Evaluator.class, property = Evaluator.ID + "=" + StyleEvaluator.ID)
public class StyleEvaluator implements Evaluator {
    static final String ID = "style";
    static final String SCORE = "styleScore";

    private final List<StylePack> packs = new CopyOnWriteArrayList<>();
    private volatile Trained trained;

    /** A classifier and the pack set it was trained on ({@code id@version}, sorted). */
    private record Trained(List<String> packRefs, StyleClassifier classifier) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPack(StylePack pack) {
        packs.add(pack);
    }

    void removePack(StylePack pack) {
        packs.remove(pack);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean accepts(EvaluationInput input) {
        if (input.styleId() == null) {
            return false;
        }
        StyleClassifier c = classifier();
        return c != null && c.styles().contains(input.styleId());
    }

    @Override
    public Evaluation evaluate(List<EvaluationInput> inputs) {
        StyleClassifier c = classifier();
        List<List<Score>> perItem = new ArrayList<>();
        Map<String, double[]> sumsByStyle = new TreeMap<>();
        double sum = 0;
        int n = 0;
        for (EvaluationInput in : inputs) {
            if (c == null || in.styleId() == null || !c.styles().contains(in.styleId())) {
                perItem.add(List.of());
                continue;
            }
            double score = 100 * c.probability(in.hypothesis(), in.styleId());
            perItem.add(List.of(new Score(SCORE, score, signature(c, in.styleId()))));
            sum += score;
            n++;
            sumsByStyle.computeIfAbsent(in.styleId(), k -> new double[2]);
            sumsByStyle.get(in.styleId())[0] += score;
            sumsByStyle.get(in.styleId())[1]++;
        }
        List<Score> corpus = new ArrayList<>();
        if (n > 0) {
            corpus.add(new Score(SCORE, sum / n, signature(c, sumsByStyle.size() == 1
                    ? sumsByStyle.keySet().iterator().next() : "mixed")));
        }
        return new Evaluation(corpus, perItem);
    }

    private static String signature(StyleClassifier c, String target) {
        return "target:" + target + "|" + c.description() + "|train:exemplars|impl:penwright";
    }

    /** The classifier for the current pack set, retrained if the set changed; null with fewer than two styles. */
    StyleClassifier classifier() {
        Map<String, StylePack> newestById = newestById();
        List<String> refs = newestById.values().stream().map(StylePack::ref).sorted().toList();
        Trained t = trained;
        if (t != null && t.packRefs().equals(refs)) {
            return t.classifier();
        }
        synchronized (this) {
            t = trained;
            if (t != null && t.packRefs().equals(refs)) {
                return t.classifier();
            }
            Map<String, List<String>> texts = new LinkedHashMap<>();
            newestById.forEach((id, pack) -> texts.put(id, pack.exemplars().stream().map(Exemplar::text).toList()));
            long withTexts = texts.values().stream().filter(l -> l.stream().anyMatch(s -> s != null && !s.isBlank()))
                    .count();
            StyleClassifier c = withTexts < 2 ? null : StyleClassifier.train(texts);
            trained = new Trained(refs, c);
            return c;
        }
    }

    /** One pack per style id: the highest version when an update briefly leaves two registered. */
    private Map<String, StylePack> newestById() {
        Map<String, StylePack> out = new TreeMap<>();
        for (StylePack p : packs) {
            out.merge(p.descriptor().id(), p, (a, b) -> VERSION_ORDER.compare(a, b) >= 0 ? a : b);
        }
        return out;
    }

    private static final Comparator<StylePack> VERSION_ORDER = Comparator.comparing(
            p -> org.osgi.framework.Version.parseVersion(safeVersion(p.version())));

    private static String safeVersion(String v) {
        try {
            org.osgi.framework.Version.parseVersion(v);
            return v;
        } catch (IllegalArgumentException e) {
            return "0.0.0";
        }
    }
}
