package dev.penwright.trainer.style;

import java.nio.file.Path;
import java.util.List;

import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.loop.LoopConfig;

/**
 * Everything a style run needs.
 *
 * @param corpus        the corpus JSONL (id, style, title, text)
 * @param id            the style id (also the pack's Penwright-StylePack header)
 * @param baseModel     the base model folder
 * @param out           the run folder: plans, checkpoints, adapters, the jar
 * @param rank          LoRA rank
 * @param alpha         LoRA alpha
 * @param dropout       LoRA dropout
 * @param targets       PEFT target modules (q_proj … down_proj)
 * @param loop          the S-SFT loop settings
 * @param maxTokens     longest training sequence (prompt + text)
 * @param maxExamples   at most this many training texts (0: all)
 * @param selfImprove   self-improvement rounds (0: none)
 * @param candidates    samples per plan in a round (k)
 * @param styleThreshold   minimum style score (0-100) a kept candidate needs
 * @param dpo           run C-DPO after S-SFT
 * @param dpoBeta       DPO beta
 * @param dpoSteps      DPO optimiser steps; 0: 30, or with a time budget as many as C-DPO's share of it holds, at
 *                      most a few passes over the pairs ({@link Budget#dpoSteps})
 * @param resume        continue from the run folder's checkpoints
 * @param deployDir     copy the jar here atomically when not null
 * @param onBadLine     skip or fail on bad corpus lines
 * @param preference    a preference file (prompt, chosen, rejected) whose pairs join the C-DPO pairs, or null
 * @param format        the training file's format: corpus (id, style, title, text), alpaca (instruction, input,
 *                      output) or auto (alpaca when the first line has instruction and output but no text)
 * @param promptTemplate the pack's prompt template (see {@link PromptFormat#COMPACT}); null: the compact one
 * @param force         deploy even when the pack does not beat the base model or the deployed pack on the run's
 *                      validation ({@link DeployGate})
 */
public record StyleRecipe(Path corpus, String id, Path baseModel, Path out, int rank, double alpha, double dropout,
                          List<String> targets, LoopConfig loop, int maxTokens, int maxExamples, int selfImprove,
                          int candidates, double styleThreshold, boolean dpo, double dpoBeta, int dpoSteps,
                          boolean resume, Path deployDir, JsonlReader.OnBadLine onBadLine,
                          Path preference, DataFormat format, String promptTemplate, boolean force) {
    /** The formats a training file may have. */
    public enum DataFormat { AUTO, CORPUS, ALPACA }

    public StyleRecipe {
        targets = List.copyOf(targets);
        format = format == null ? DataFormat.AUTO : format;
        promptTemplate = promptTemplate == null || promptTemplate.isBlank() ? PromptFormat.COMPACT : promptTemplate;
        if (!promptTemplate.endsWith(dev.penwright.api.style.PromptTemplate.TEXT)) {
            throw new IllegalArgumentException("the prompt template must end with "
                    + dev.penwright.api.style.PromptTemplate.TEXT + " (the text follows it): " + promptTemplate);
        }
        if (!id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("style id '" + id
                    + "' must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
        }
        if (rank < 1 || alpha <= 0 || dropout < 0 || dropout >= 1 || maxTokens < 8 || candidates < 1) {
            throw new IllegalArgumentException("bad recipe: rank " + rank + ", alpha " + alpha + ", dropout "
                    + dropout + ", max tokens " + maxTokens + ", candidates " + candidates);
        }
    }

    /** A recipe that deploys (with a deploy folder) only a pack that passes {@link DeployGate}. */
    public StyleRecipe(Path corpus, String id, Path baseModel, Path out, int rank, double alpha, double dropout,
                       List<String> targets, LoopConfig loop, int maxTokens, int maxExamples, int selfImprove,
                       int candidates, double styleThreshold, boolean dpo, double dpoBeta, int dpoSteps,
                       boolean resume, Path deployDir, JsonlReader.OnBadLine onBadLine, Path preference,
                       DataFormat format, String promptTemplate) {
        this(corpus, id, baseModel, out, rank, alpha, dropout, targets, loop, maxTokens, maxExamples, selfImprove,
                candidates, styleThreshold, dpo, dpoBeta, dpoSteps, resume, deployDir, onBadLine, preference,
                format, promptTemplate, false);
    }

    /** A recipe on a corpus file with the compact prompt template. */
    public StyleRecipe(Path corpus, String id, Path baseModel, Path out, int rank, double alpha, double dropout,
                       List<String> targets, LoopConfig loop, int maxTokens, int maxExamples, int selfImprove,
                       int candidates, double styleThreshold, boolean dpo, double dpoBeta, int dpoSteps,
                       boolean resume, Path deployDir, JsonlReader.OnBadLine onBadLine, Path preference) {
        this(corpus, id, baseModel, out, rank, alpha, dropout, targets, loop, maxTokens, maxExamples, selfImprove,
                candidates, styleThreshold, dpo, dpoBeta, dpoSteps, resume, deployDir, onBadLine, preference,
                DataFormat.AUTO, null, false);
    }
}
