package dev.penwright.bench;

import dev.penwright.trainer.data.CorpusText;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Row 2: the nearest TRAIN text of the style, by TF-IDF cosine against the plan (title and neutral draft). It shows
 * what copying a real text of the voice scores without writing anything.
 */
public final class RetrievalSystem implements BenchSystem {
    private final Map<String, TfIdfIndex> indexes = new HashMap<>();

    /** Registers the training texts of a style; a style with none is reported as not available. */
    @Override
    public void prepare(String style, List<CorpusText> train) {
        indexes.put(style, new TfIdfIndex(train));
    }

    public String key() { return "retrieval"; }
    public String label() { return "Retrieval (nearest train text)"; }

    public Optional<String> unavailableReason(String style) {
        TfIdfIndex ix = indexes.get(style);
        return ix == null || ix.docs().isEmpty() ? Optional.of("no training texts of style " + style) : Optional.empty();
    }

    public String generate(String style, BenchItem item) {
        return indexes.get(style).nearest(TfIdfIndex.query(item.plan()), 1).get(0).text();
    }
}
