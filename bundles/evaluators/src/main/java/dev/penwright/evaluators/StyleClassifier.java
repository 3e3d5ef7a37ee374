package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Says how likely a text is to be in each of a few styles: multinomial logistic regression over hashed character
 * 1..4-gram features ({@link CharNgramFeatures}), trained by plain SGD with L2 and class weights that make a style
 * with few exemplars count as much as one with many.
 *
 * <p>Written by hand rather than taken from a library: it is about a hundred lines, it must be deterministic (a fixed
 * seed and order, so style scores are reproducible), it trains in a second or two on a few thousand exemplars,
 * and the ML libraries at hand (DJL, langchain4j) would bring native engines or model files into a bundle that
 * should stay small and hot-swappable, for a model this simple.
 *
 * <p>Immutable once trained.
 */
public final class StyleClassifier {
    /**
     * @param hashBits     log2 of the feature dimension
     * @param maxN         the longest character n-gram
     * @param epochs       passes over the training texts
     * @param learningRate the initial SGD step, decayed as 1 / (1 + epoch)
     * @param l2           the L2 penalty per step on the weights a text touches
     * @param seed         the shuffling seed
     */
    public record Options(int hashBits, int maxN, int epochs, double learningRate, double l2, long seed) {
        public static final Options DEFAULT = new Options(18, 4, 12, 0.5, 1e-5, 42L);

        public Options {
            if (epochs < 1 || learningRate <= 0 || l2 < 0) {
                throw new IllegalArgumentException("epochs >= 1, learningRate > 0 and l2 >= 0 are required");
            }
        }
    }

    private final List<String> styles;
    private final CharNgramFeatures features;
    private final float[][] weights;
    private final double[] bias;
    private final String description;

    private StyleClassifier(List<String> styles, CharNgramFeatures features, float[][] weights, double[] bias,
                            String description) {
        this.styles = List.copyOf(styles);
        this.features = features;
        this.weights = weights;
        this.bias = bias;
        this.description = description;
    }

    /**
     * Trains on texts grouped by style; at least two styles, each with at least one non-blank text.
     *
     * @param textsByStyle style id to its texts; the map's iteration order fixes the class order
     */
    public static StyleClassifier train(Map<String, List<String>> textsByStyle, Options options) {
        Map<String, List<String>> data = new LinkedHashMap<>();
        textsByStyle.forEach((style, texts) -> {
            List<String> kept = texts.stream().filter(t -> t != null && !t.isBlank()).toList();
            if (!kept.isEmpty()) {
                data.put(style, kept);
            }
        });
        if (data.size() < 2) {
            throw new IllegalArgumentException("a style classifier needs texts of at least two styles, got "
                    + data.keySet());
        }
        CharNgramFeatures features = new CharNgramFeatures(options.hashBits(), options.maxN());
        List<String> styles = new ArrayList<>(data.keySet());
        int k = styles.size();
        List<CharNgramFeatures.Sparse> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int total = data.values().stream().mapToInt(List::size).sum();
        double[] classWeight = new double[k];
        for (int c = 0; c < k; c++) {
            List<String> texts = data.get(styles.get(c));
            classWeight[c] = (double) total / (k * texts.size());
            for (String t : texts) {
                xs.add(features.extract(t));
                ys.add(c);
            }
        }
        float[][] w = new float[k][features.dimension()];
        double[] b = new double[k];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            order.add(i);
        }
        Random random = new Random(options.seed());
        double[] p = new double[k];
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            Collections.shuffle(order, random);
            double lr = options.learningRate() / (1 + epoch);
            for (int i : order) {
                CharNgramFeatures.Sparse x = xs.get(i);
                int y = ys.get(i);
                softmax(x, w, b, p);
                double cw = classWeight[y];
                for (int c = 0; c < k; c++) {
                    double g = ((c == y ? 1 : 0) - p[c]) * cw;
                    b[c] += lr * g;
                    float[] wc = w[c];
                    int[] idx = x.indices();
                    float[] val = x.values();
                    for (int j = 0; j < idx.length; j++) {
                        wc[idx[j]] += (float) (lr * (g * val[j] - options.l2() * wc[idx[j]]));
                    }
                }
            }
        }
        String description = "charngram:1-" + options.maxN() + "|layout:newlines|hash:" + options.hashBits() + "|model:logreg-sgd"
                + "|epochs:" + options.epochs() + "|classes:" + String.join(",", styles) + "|n:" + total;
        return new StyleClassifier(styles, features, w, b, description);
    }

    public static StyleClassifier train(Map<String, List<String>> textsByStyle) {
        return train(textsByStyle, Options.DEFAULT);
    }

    /** The classes, in the order of {@link #probabilities}. */
    public List<String> styles() {
        return styles;
    }

    /** How the classifier was built, for score signatures. */
    public String description() {
        return description;
    }

    public double[] probabilities(String text) {
        double[] p = new double[styles.size()];
        softmax(features.extract(text == null ? "" : text), weights, bias, p);
        return p;
    }

    /** P(style | text), 0 to 1. */
    public double probability(String text, String style) {
        int c = styles.indexOf(style);
        if (c < 0) {
            throw new IllegalArgumentException("unknown style \"" + style + "\"; the classifier knows " + styles);
        }
        return probabilities(text)[c];
    }

    /** The most probable style. */
    public String predict(String text) {
        double[] p = probabilities(text);
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return styles.get(best);
    }

    private static void softmax(CharNgramFeatures.Sparse x, float[][] w, double[] b, double[] out) {
        int[] idx = x.indices();
        float[] val = x.values();
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < out.length; c++) {
            double z = b[c];
            float[] wc = w[c];
            for (int j = 0; j < idx.length; j++) {
                z += wc[idx[j]] * val[j];
            }
            out[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < out.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < out.length; c++) {
            out[c] /= sum;
        }
    }
}
