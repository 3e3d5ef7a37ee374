package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class PorterStemmerTest {
    private final PorterStemmer stemmer = new PorterStemmer();

    @Test
    void matchesNltksDefaultMode() {
        // word=stem pairs as NLTK 3.10.3's PorterStemmer() (NLTK_EXTENSIONS) gives them; they include the examples
        // of Porter's paper and NLTK's own changes (ties -> tie, skies -> sky, dying -> die, happy -> happi,
        // enjoy -> enjoy).
        String pairs = "caresses=caress ponies=poni ties=tie cats=cat agreed=agre plastered=plaster motoring=motor "
                + "conflated=conflat troubled=troubl sized=size hopping=hop falling=fall hissing=hiss failing=fail "
                + "filing=file happy=happi enjoy=enjoy skies=sky dying=die relational=relat conditional=condit "
                + "generalization=gener triplicate=triplic hopefulness=hope electricity=electr adjustable=adjust "
                + "replacement=replac adoption=adopt controlling=control analogies=analog debian=debian "
                + "packages=packag utilities=util compression=compress syzygy=syzygi";
        for (String pair : pairs.split(" ")) {
            String[] wordAndStem = pair.split("=");
            assertEquals(wordAndStem[1], stemmer.stem(wordAndStem[0]), wordAndStem[0]);
        }
    }

    @Test
    void longRunsOfYDoNotOverflow() {
        stemmer.stem("y".repeat(100_000));
    }

    @Test
    void rougeWithStemmingConflatesInflections() {
        // rouge-score stems only tokens longer than 3 characters: "cats" -> "cat", "sat" stays.
        assertEquals(List.of("the", "cat", "sat", "compress", "packag"),
                RougeTokenizer.tokenize("The cats sat; compression packages", stemmer));
        assertEquals(1.0, new Rouge(true).rougeL("compression packages", "compressing package").fmeasure(), 1e-12);
        assertEquals(0.0, new Rouge(false).rougeL("compression packages", "compressing package").fmeasure(), 1e-12);
    }
}
