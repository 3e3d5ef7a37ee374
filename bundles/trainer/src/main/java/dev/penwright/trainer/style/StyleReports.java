package dev.penwright.trainer.style;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.TrainingResult;

/**
 * The records a style run writes as JSON: a stage's {@code report.json}, {@code deploy.json} and {@code style.json}.
 * Their component order is the files' field order, and absent (null) fields are left out, as the console, the bench
 * and the tests read them; a field changes here or nowhere.
 */
final class StyleReports {
    private StyleReports() {
    }

    /** An optimisation loop's figures (S-SFT, a self-improvement round's training). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LoopFigures(int steps, String stopReason, int trainExamples, int validationExamples, double firstLoss,
                       double lastLoss, Double bestValidationLoss, int keptStep, List<List<Number>> validation,
                       List<Double> losses, double tokensPerSecond, long tokens, double seconds) {
        static LoopFigures of(TrainingResult r, int trainExamples, int valExamples) {
            return new LoopFigures(r.steps(), r.stopReason(), trainExamples, valExamples, r.firstLoss(), r.lastLoss(),
                    Double.isNaN(r.bestValLoss()) ? null : r.bestValLoss(), r.keptStep(),
                    StyleReports.evals(r.history()), StyleReports.losses(r.history()), r.tokensPerSecond(),
                    r.trainedTokens(), r.seconds());
        }
    }

    /** [step, loss] of each validation pass. */
    static List<List<Number>> evals(History h) {
        return h.evals.stream().map(e -> List.<Number>of(e.step(), e.loss())).toList();
    }

    static List<Double> losses(History h) {
        return h.steps.stream().map(History.StepPoint::loss).toList();
    }

    /**
     * One self-improvement round. {@code training} is the round's {@link LoopFigures}, or a sentence when nothing
     * was kept, or absent when the run was cancelled before training.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Round(int round, int plans, int candidates, int kept, double acceptanceRate, double meanStyleScore,
                 double cleanRate, double styleThreshold, String keepRule, double samplingSeconds, Object training) {
    }

    /** Where C-DPO's pairs came from, when they were built in this run (not resumed). */
    record PairCounts(int ownSamplePlans, int ownChosen, int originalChosen, int preferenceFile, int alteredPlans,
                      int alteredTexts) {
    }

    /** The C-DPO phase. Fields of parts that did not happen (a resumed or skipped phase) are null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DpoFigures(double beta, String resumedFrom, Integer ownSamplePlans, Integer fromOwnSamplesOwnChosen,
                      Integer fromOwnSamplesOriginalChosen, Integer fromPreferenceFile, Integer fromAlteredPlans,
                      Integer fromAlteredTexts, int pairs, String skipped, Map<String, Integer> pairsBySource,
                      Double marginBefore, Double marginAfter, Integer steps, String stopReason, Double firstLoss,
                      Double lastLoss, List<Double> losses, Integer pairsLeftOut, LoopFigures training) {
        /** The same figures with the S-SFT that went on in a share too short for C-DPO. */
        DpoFigures withTraining(LoopFigures more) {
            return new DpoFigures(beta, resumedFrom, ownSamplePlans, fromOwnSamplesOwnChosen,
                    fromOwnSamplesOriginalChosen, fromPreferenceFile, fromAlteredPlans, fromAlteredTexts, pairs, skipped,
                    pairsBySource, marginBefore, marginAfter, steps, stopReason, firstLoss, lastLoss, losses,
                    pairsLeftOut, more);
        }
    }

    /** Validation outputs scored: {@code scores} is absent when no validation text has a plan. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Validation(int items, Scores scores, String rougeSignature) {
    }

    record Scores(double styleScore, double rougeL, double factualHallucinationRate,
                  double faithfulnessHallucinationRate, String options, String sample) {
    }

    /**
     * A stage's validation: the pack's figures beside the base model's, decoded the same way; {@code skipped} says
     * why a stage the time budget left unscored has no figures of its own.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StageScores(int items, String rougeSignature, Scores withPack, Scores baseModel, String baseModelNote,
                       String skipped) {
    }

    record DataFigures(String corpus, String format, String license, String source, int lines, int badLines,
                       List<String> badLineDetails, String split, int train, int validation, int planFailures) {
    }

    record LoraFigures(int r, double alpha, double dropout, String dropoutNote, List<String> targetModules) {
    }

    /** The phases run so far: what every stage's report starts with. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Phases(LoopFigures sft, List<Round> selfImprovement, DpoFigures dpo) {
    }

    /** A stage's {@code report.json}. The bench reads the stage from it: {@code dpo}, a non-empty
     * {@code selfImprovement}, or {@code sft} alone. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StageReport(LoopFigures sft, List<Round> selfImprovement, DpoFigures dpo, String stage,
                       StageScores validationScores, String style, String version, String created, String baseModel,
                       String baseModelFingerprint, String planner, String promptTemplate, DataFigures data,
                       LoraFigures lora, Budget.Report budget) {
    }

    /** {@code deploy.json}: the deploy gate's verdict and the run's time. */
    record DeployReport(boolean deployed, String rule, List<String> reasons, Budget.Report budget) {
    }

    /** A pack's {@code style.json}. */
    record StyleJson(String id, String name, String language, String description, String baseModel,
                     String baseModelFingerprint, String promptTemplate, Defaults defaults, String license,
                     String provenance) {
    }

    record Defaults(Integer maxNewTokens, Double temperature, Integer topK, Double topP, Double repetitionPenalty,
                    List<String> stop, Double copyBias, Boolean factGuard, Double minCoverage) {
    }

    /** A line of {@code exemplars.jsonl}. */
    record Exemplar(String id, String title, String text, String license) {
    }
}
