package dev.penwright.evaluators.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
 * Style consistency: P(target style | text) x 100 from a {@link StyleClassifier} trained for the target's pack alone:
 * its exemplars against the same exemplars with their form removed (layout flattened, markup dropped, quotes
 * straightened). So a score says how much a text has its style's form rather than none, and depends only on the
 * target pack's version, never on which other packs are installed (a score that moved when an unrelated pack came
 * would not compare over time). One classifier per pack version, trained on first use.
 */
@Component(service = Evaluator.class, property = Evaluator.ID + "=" + StyleEvaluator.ID)
public class StyleEvaluator implements Evaluator {
    static final String ID = "style";
    static final String SCORE = "styleScore";

    private final List<StylePack> packs = new CopyOnWriteArrayList<>();
    /** Each pack version's classifier ({@code id@version}), or empty when it has no exemplars to train on. */
    private final Map<String, Optional<StyleClassifier>> trained = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPack(StylePack pack) {
        packs.add(pack);
    }

    void removePack(StylePack pack) {
        packs.remove(pack);
        if (packs.stream().noneMatch(p -> p.ref().equals(pack.ref()))) {
            trained.remove(pack.ref());
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean accepts(EvaluationInput input) {
        return input.styleId() != null && classifier(input.styleId()) != null;
    }

    @Override
    public Evaluation evaluate(List<EvaluationInput> inputs) {
        List<List<Score>> perItem = new ArrayList<>();
        Map<String, double[]> sumsByStyle = new TreeMap<>();
        double sum = 0;
        int n = 0;
        StyleClassifier last = null;
        for (EvaluationInput in : inputs) {
            StyleClassifier c = in.styleId() == null ? null : classifier(in.styleId());
            if (c == null) {
                perItem.add(List.of());
                continue;
            }
            double score = 100 * c.probability(in.hypothesis(), in.styleId());
            perItem.add(List.of(new Score(SCORE, score, signature(c, in.styleId()))));
            sum += score;
            n++;
            last = c;
            sumsByStyle.computeIfAbsent(in.styleId(), k -> new double[2]);
            sumsByStyle.get(in.styleId())[0] += score;
            sumsByStyle.get(in.styleId())[1]++;
        }
        List<Score> corpus = new ArrayList<>();
        if (n > 0) {
            corpus.add(new Score(SCORE, sum / n, sumsByStyle.size() == 1
                    ? signature(last, sumsByStyle.keySet().iterator().next()) : "target:mixed|impl:penwright"));
        }
        return new Evaluation(corpus, perItem);
    }

    private static String signature(StyleClassifier c, String target) {
        return "target:" + target + "|" + c.description() + "|train:exemplars|impl:penwright";
    }

    /** The classifier of the newest installed pack of {@code styleId}; null without one or without exemplars. */
    StyleClassifier classifier(String styleId) {
        StylePack pack = newestById().get(styleId);
        if (pack == null) {
            return null;
        }
        return trained.computeIfAbsent(pack.ref(), ref -> train(pack)).orElse(null);
    }

    private static Optional<StyleClassifier> train(StylePack pack) {
        List<String> texts = pack.exemplars().stream().map(Exemplar::text).filter(t -> t != null && !t.isBlank())
                .toList();
        List<String> plain = texts.stream().map(StyleEvaluator::withoutForm).filter(t -> !t.isBlank()).toList();
        if (texts.isEmpty() || plain.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<String>> classes = new LinkedHashMap<>();
        classes.put(pack.descriptor().id(), texts);
        classes.put(FORM_REMOVED, plain);
        return Optional.of(StyleClassifier.train(classes));
    }

    /** The contrast class: what the pack's exemplars say without how they lay it out. */
    static final String FORM_REMOVED = "(form removed)";

    /**
     * A text without its form, by rules that need no knowledge of the style (as the neutral draft's planner does,
     * but without a planner, so that the score does not depend on one being installed): every run of white space one
     * space, markup and bracket characters dropped, typographic quotes straight.
     */
    static String withoutForm(String text) {
        String s = text.replace('\u201c', '"').replace('\u201d', '"').replace('\u2018', '\'').replace('\u2019', '\'');
        s = s.replaceAll("[{}\\[\\]<>*_#|]", "");
        return s.replaceAll("\\s+", " ").strip();
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
