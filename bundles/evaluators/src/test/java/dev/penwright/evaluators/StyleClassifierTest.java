package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StyleClassifierTest {
    @Test
    void separatesTheThreeCorporaOnHeldOutSamples() throws Exception {
        Map<String, List<String>> train = new LinkedHashMap<>();
        Map<String, List<CorpusSamples.Sample>> test = new LinkedHashMap<>();
        for (String file : CorpusSamples.FILES) {
            CorpusSamples.Split split = CorpusSamples.split(file, 400, 150);
            String style = split.train().get(0).style();
            train.put(style, split.train().stream().map(CorpusSamples.Sample::text).toList());
            test.put(style, split.test());
        }
        long t0 = System.nanoTime();
        StyleClassifier classifier = StyleClassifier.train(train);
        long trainMs = (System.nanoTime() - t0) / 1_000_000;
        int correct = 0;
        int total = 0;
        double meanTargetProbability = 0;
        StringBuilder perStyle = new StringBuilder();
        for (Map.Entry<String, List<CorpusSamples.Sample>> e : test.entrySet()) {
            int styleCorrect = 0;
            for (CorpusSamples.Sample s : e.getValue()) {
                if (classifier.predict(s.text()).equals(e.getKey())) {
                    styleCorrect++;
                }
                meanTargetProbability += classifier.probability(s.text(), e.getKey());
            }
            perStyle.append(String.format(Locale.ROOT, " %s %d/%d", e.getKey(), styleCorrect, e.getValue().size()));
            correct += styleCorrect;
            total += e.getValue().size();
        }
        double accuracy = (double) correct / total;
        meanTargetProbability /= total;
        System.out.printf(Locale.ROOT, "style classifier: held-out accuracy %.4f (%d/%d;%s), mean P(target) %.4f, "
                + "trained on %d texts in %d ms%n", accuracy, correct, total, perStyle, meanTargetProbability,
                train.values().stream().mapToInt(List::size).sum(), trainMs);
        assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
        assertTrue(meanTargetProbability >= 0.8, "mean P(target) " + meanTargetProbability);
    }

    @Test
    void deterministic() {
        Map<String, List<String>> data = Map.of(
                "terse", List.of("Library for parsing XML.", "Tool to convert images.", "Daemon for logging."),
                "chatty", List.of("Well, you see, this one is a funny story, really!",
                        "Oh, hackers love it; they say it with a grin.", "It is, to put it mildly, a kludge."));
        Map<String, List<String>> ordered = new LinkedHashMap<>(new java.util.TreeMap<>(data));
        StyleClassifier a = StyleClassifier.train(ordered);
        StyleClassifier b = StyleClassifier.train(ordered);
        String probe = "Utility for compressing files.";
        assertEquals(a.probability(probe, "terse"), b.probability(probe, "terse"));
        assertEquals("terse", a.predict(probe));
        assertEquals("chatty", a.predict("Well, it is, as hackers say with a grin, a funny kludge!"));
        double[] p = a.probabilities(probe);
        assertEquals(1.0, p[0] + p[1], 1e-9);
    }

    @Test
    void needsTwoStylesAndKnownTargets() {
        assertThrows(IllegalArgumentException.class, () -> StyleClassifier.train(Map.of("only", List.of("a text"))));
        StyleClassifier c = StyleClassifier.train(new LinkedHashMap<>(Map.of("a", List.of("x y z"),
                "b", List.of("中文文本"))));
        assertThrows(IllegalArgumentException.class, () -> c.probability("text", "unknown"));
        // Empty text still gets a distribution, not an error.
        assertEquals(1.0, c.probabilities("")[0] + c.probabilities("")[1], 1e-9);
    }
}
