package dev.penwright.api.generate;

import java.util.List;

/**
 * How the small model samples. A null field means "not set here": {@link #over(GenerationOptions)} fills it from
 * defaults, so a request overrides a pack's defaults, which override the engine's.
 *
 * <p>The last three fields make decoding copy-aware (they need the prompt's plan; without one they do nothing):
 * they keep a styled text to the plan's content whatever the checkpoint, at inference time only.
 *
 * @param maxNewTokens      upper bound on generated tokens
 * @param temperature       0 means greedy
 * @param topK              keep the k most likely tokens (0 = off)
 * @param topP              nucleus sampling mass (1 = off)
 * @param repetitionPenalty CTRL-style penalty on tokens already present (1 = off)
 * @param seed              same seed, same text
 * @param stop              strings that end generation (not included in the output)
 * @param copyBias          plan-copy bias (0 = off): a copy cursor follows how far the text has written the plan's
 *                          draft, and the share {@code 1 - e^-copyBias} of the probability the model gives to other
 *                          words (and to ending early) moves to the draft's next token; white space and markup keep
 *                          the model's odds between words, so the plan decides what is said and the model the layout
 * @param factGuard         fact guard (false = off): a word that starts with a capital or holds a digit, and each
 *                          Han character, can only be written when it is a word of the plan or of the style pack's
 *                          vocabulary (see {@link dev.penwright.api.style.StyleVocabulary}), so the text cannot
 *                          introduce numbers, names or CJK name characters that neither holds
 * @param minCoverage       coverage-gated end, 0..1 (0 = off): the end of text and stop strings are held back until
 *                          this fraction of the plan's content words occurs in the text, or the text has twice as
 *                          many tokens as the plan (so it always ends; {@code maxNewTokens} ends it in any case)
 */
public record GenerationOptions(Integer maxNewTokens, Double temperature, Integer topK, Double topP,
                                Double repetitionPenalty, Long seed, List<String> stop, Double copyBias,
                                Boolean factGuard, Double minCoverage) {
    public static final GenerationOptions UNSET =
            new GenerationOptions(null, null, null, null, null, null, null, null, null, null);
    /** The engine's defaults: copy-aware decoding off (packs turn it on in their style.json defaults). */
    public static final GenerationOptions DEFAULTS =
            new GenerationOptions(256, 0.8, 50, 0.95, 1.1, 0L, List.of(), 0.0, false, 0.0);

    public GenerationOptions {
        stop = stop == null ? null : List.copyOf(stop);
        if (copyBias != null && (copyBias.isNaN() || copyBias.isInfinite() || copyBias < 0)) {
            throw new IllegalArgumentException("copyBias must be a finite number >= 0 (0 = off), was " + copyBias);
        }
        if (minCoverage != null && (minCoverage.isNaN() || minCoverage < 0 || minCoverage > 1)) {
            throw new IllegalArgumentException("minCoverage must be between 0 and 1 (0 = off), was " + minCoverage);
        }
    }

    /** Options without copy-aware decoding fields (what every option set was before they existed). */
    public GenerationOptions(Integer maxNewTokens, Double temperature, Integer topK, Double topP,
                             Double repetitionPenalty, Long seed, List<String> stop) {
        this(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stop, null, null, null);
    }

    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0.0, 0, 1.0, 1.0, 0L, List.of());
    }

    /** These options, with every unset field taken from {@code defaults}. */
    public GenerationOptions over(GenerationOptions defaults) {
        if (defaults == null) {
            return this;
        }
        return new GenerationOptions(
                maxNewTokens != null ? maxNewTokens : defaults.maxNewTokens,
                temperature != null ? temperature : defaults.temperature,
                topK != null ? topK : defaults.topK,
                topP != null ? topP : defaults.topP,
                repetitionPenalty != null ? repetitionPenalty : defaults.repetitionPenalty,
                seed != null ? seed : defaults.seed,
                stop != null ? stop : defaults.stop,
                copyBias != null ? copyBias : defaults.copyBias,
                factGuard != null ? factGuard : defaults.factGuard,
                minCoverage != null ? minCoverage : defaults.minCoverage);
    }

    /** These options with another seed (best-of-k candidates, self-improvement samples). */
    public GenerationOptions withSeed(Long newSeed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, newSeed, stop,
                copyBias, factGuard, minCoverage);
    }

    /** These options with another bound on new tokens (a prompt that leaves less room than asked for). */
    public GenerationOptions withMaxNewTokens(Integer newMax) {
        return new GenerationOptions(newMax, temperature, topK, topP, repetitionPenalty, seed, stop, copyBias,
                factGuard, minCoverage);
    }

    /** These options with copy-aware decoding set as given (null: unset). */
    public GenerationOptions withCopyAware(Double newCopyBias, Boolean newFactGuard, Double newMinCoverage) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stop,
                newCopyBias, newFactGuard, newMinCoverage);
    }

    public boolean isGreedy() {
        return temperature != null && temperature <= 0.0;
    }

    /** Whether any copy-aware decoding option is on (they need the plan and the text as it grows). */
    public boolean isCopyAware() {
        return (copyBias != null && copyBias > 0) || Boolean.TRUE.equals(factGuard)
                || (minCoverage != null && minCoverage > 0);
    }
}
