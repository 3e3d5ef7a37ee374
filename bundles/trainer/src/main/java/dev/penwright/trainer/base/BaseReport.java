package dev.penwright.trainer.base;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.penwright.trainer.loop.LoopConfig;

/**
 * A base run's {@code report.json}, which model cards, {@code --init} stages and the tests read. The component order
 * is the file's field order; null fields (parts a run did not have) are left out. The file adds {@code stages}: the
 * earlier stages' reports and this one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record BaseReport(String created, String stage, String init, String shape, long parameters, int vocab, int seqLen,
                  double planMix, boolean balance, String planner, Integer planFailures, List<String> promptTemplates,
                  List<Source> corpora, int badLines, String split, int trainTexts, int trainSequences,
                  Map<String, MixCount> trainMix, int steps, String stopReason, double firstLoss, double lastLoss,
                  Double bestValidationLoss, List<List<Number>> validation, long tokensSeen, double tokensPerSecond,
                  double approxFlopsPerSecond, String flopsNote, double seconds, Map<String, Double> phaseSeconds,
                  int valTextsPerCorpus, Map<String, CorpusFigures> perCorpusBefore,
                  Map<String, CorpusFigures> perCorpus, Recipe recipe, Card card) {
    /** A corpus file of the run. */
    record Source(String name, String file, int texts, int trainTexts, int badLines, String license) {
    }

    /** A corpus's training sequences by kind. */
    record MixCount(int rawSequences, int planSequences) {
    }

    /** A corpus's validation figures: raw text, and plan→text where the run has plan sequences. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CorpusFigures(Figures raw, Figures plan, String note) {
    }

    /**
     * How well a model predicts a set of sequences.
     *
     * @param loss       mean negative log-likelihood per target token (nats)
     * @param perplexity exp(loss)
     * @param sequences  sequences scored
     * @param tokens     target tokens scored
     */
    record Figures(double loss, double perplexity, int sequences, long tokens) {
    }

    /** The recipe as run: a from-scratch run names its shape and tokenizer, a continued one its init model. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Recipe(List<String> corpora, String init, String shape, Integer vocab, Integer tokenizerTexts, int seqLen,
                  int maxTexts, double planMix, boolean balance, int valTexts, List<String> promptTemplates,
                  LoopConfig loop) {
        static Recipe of(BaseRecipe r) {
            boolean scratch = r.init() == null;
            return new Recipe(r.corpora().stream().map(Object::toString).toList(),
                    scratch ? null : r.init().toString(), scratch ? r.shape().toString() : null,
                    scratch ? r.vocabSize() : null, scratch ? r.tokenizerTexts() : null, r.seqLen(), r.maxTexts(),
                    r.planMix(), r.balance(), r.valTexts(), r.promptTemplates(), r.loop());
        }
    }

    /** The figures a model card quotes, as its table rows say them. */
    record Card(String training, String data, String validation) {
    }
}
