package dev.penwright.bench;

import java.util.Map;

/**
 * One row of one style's table (or of the overall mean). Figures are 0 to 100; null where not measured.
 *
 * @param available   whether the system ran
 * @param reason      why not, when it did not
 * @param n           outputs scored
 * @param styleScore  mean probability of the target style (percent) against the other styles and neutral drafts
 * @param contentRecall mean per cent of the original's content words the output keeps ({@code ContentRecall})
 * @param seconds     wall time of generation for this row
 * @param signatures  how each figure was computed
 * @param system      what exactly ran (pack ref, planner, model), for the record
 * @param failures    generations that failed; each is scored as an empty output (the system produced nothing)
 * @param failureMessages the first few failures, {@code id: message}
 * @param truncations outputs whose prompt had the plan cut to fit the model's context with room for the new tokens
 *                    (its draft; facts and summary only when the plan without a draft leaves too little room)
 * @param shots       few-shot exemplars each prompt was given, as configured ({@code --shots}; 0 for pack rows);
 *                    null for rows without prompts
 * @param meanShots   mean few-shot exemplars that fitted in a prompt (the styler drops them, the last first, before
 *                    it cuts the draft), at most {@code shots}; null for rows without prompts
 * @param factualHallucinationJudge      the factual hallucination rate as an LLM judge sees it ({@code --judge}),
 *                                       percent of judged outputs; null when not judged
 * @param faithfulnessHallucinationJudge the same for the faithfulness hallucination rate
 * @param unjudged    outputs the judge gave no usable answer for
 * @param shipped     whether the row is Penwright as shipped (the packs' final stage, their own decoding options)
 */
public record RowResult(String key, String label, boolean available, String reason, int n, Double rougeL,
                        Double bleu4, Double styleScore, Double factualHallucination, Double faithfulnessHallucination,
                        Double contentRecall, double seconds, Map<String, String> signatures, String system,
                        int failures, java.util.List<String> failureMessages, int truncations, Integer shots, Double meanShots,
                        Double factualHallucinationJudge, Double faithfulnessHallucinationJudge, int unjudged,
                        boolean shipped) {
    public RowResult {
        signatures = signatures == null ? Map.of() : Map.copyOf(signatures);
        system = system == null ? "" : system;
        failureMessages = failureMessages == null ? java.util.List.of() : java.util.List.copyOf(failureMessages);
    }

    public static RowResult notAvailable(String key, String label, String reason) {
        return new RowResult(key, label, false, reason, 0, null, null, null, null, null, null, 0, Map.of(), "", 0, null, 0, null, null, null, null, 0, false);
    }
}
