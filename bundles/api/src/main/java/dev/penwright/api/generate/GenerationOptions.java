package dev.penwright.api.generate;

import java.util.List;

/**
 * How the small model samples. A null field means "not set here": {@link #over(GenerationOptions)} fills it from
 * defaults, so a request overrides a pack's defaults, which override the engine's.
 *
 * @param maxNewTokens      upper bound on generated tokens
 * @param temperature       0 means greedy
 * @param topK              keep the k most likely tokens (0 = off)
 * @param topP              nucleus sampling mass (1 = off)
 * @param repetitionPenalty CTRL-style penalty on tokens already present (1 = off)
 * @param seed              same seed, same text
 * @param stop              strings that end generation (not included in the output)
 */
public record GenerationOptions(Integer maxNewTokens, Double temperature, Integer topK, Double topP,
                                Double repetitionPenalty, Long seed, List<String> stop) {
    public static final GenerationOptions UNSET = new GenerationOptions(null, null, null, null, null, null, null);
    public static final GenerationOptions DEFAULTS =
            new GenerationOptions(256, 0.8, 50, 0.95, 1.1, 0L, List.of());

    public GenerationOptions {
        stop = stop == null ? null : List.copyOf(stop);
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
                stop != null ? stop : defaults.stop);
    }

    public boolean isGreedy() {
        return temperature != null && temperature <= 0.0;
    }
}
