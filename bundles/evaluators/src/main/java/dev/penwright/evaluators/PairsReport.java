package dev.penwright.evaluators;

import java.util.List;
import java.util.Map;

/**
 * The scores of a pairs file.
 *
 * @param language             "en" (13a) or "zh" (zh tokenizer), as used
 * @param bleu4                corpus BLEU, 0-100
 * @param rougeL               mean ROUGE-L F-measure, 0-100
 * @param rougeLsum            mean ROUGE-Lsum F-measure, 0-100
 * @param factualHallucination percent of pairs with a source whose hypothesis states a fact the source lacks, or
 *                             NaN when no pair has a source
 * @param signatures           score name to signature
 * @param items                per pair, in file order
 */
public record PairsReport(String language, double bleu4, double rougeL, double rougeLsum, double factualHallucination,
                          Map<String, String> signatures, List<Item> items) {
    public PairsReport {
        // Kept in the order given, so reports list them in a stable, readable order.
        signatures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(signatures));
        items = List.copyOf(items);
    }

    /**
     * @param bleu4            sentence BLEU with effective order
     * @param unsupportedFacts facts of the hypothesis its source lacks; null when the pair has no source
     */
    public record Item(String id, double bleu4, double rougeL, double rougeLsum, List<String> unsupportedFacts) {
    }
}
