package dev.penwright.trainer.style;

import java.util.List;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.LanguageModel;

/** The decoding a trained pack ships in its style.json, which the styler and the bench use, and how it is stored. */
final class PackDefaults {
    private PackDefaults() {
    }

    /**
     * No repetition penalty: it counts the prompt's tokens as seen (as Hugging Face's does), and the text should
     * reuse the draft's words. Temperature 0.3: with the copy cursor the plan decides the words and sampling only
     * chooses the layout, where a cool temperature keeps to the style's most usual form (bench notes --split
     * validation, n = 12 a style, three styles: ROUGE-L 92.2 / style 70.4 / factual 2.8 % at 0.3, 90.6 / 79.3 /
     * 11.1 % at 0.6, 84.4 / 73.0 / 0 % at 0 before the cursor's layout rules; greedy repeats the same break pattern).
     */
    static final double TEMPERATURE = 0.3;
    /** A pack's adapter is stored in half precision (half the bytes; read back as F32); checkpoints stay F32. */
    static final String ADAPTER_DTYPE = "F16";
    static final int TOP_K = 50;
    static final double TOP_P = 0.95;
    static final double REPETITION_PENALTY = 1.0;
    /**
     * Copy-aware decoding, on in every pack's defaults (the engine's are off): a plan-copy bias of 4 (98 % of the
     * probability the model gives to other words moves to the draft's next one: 3 and 6 gave the same figures on the
     * validation split), the fact guard, and an end held back until 70 % of the plan's content words are written.
     */
    static final double COPY_BIAS = 4.0;
    static final boolean FACT_GUARD = true;
    static final double MIN_COVERAGE = 0.7;

    /** The pack's options for a model: {@link #maxNewTokens} and the constants above, stopping at the end marker. */
    static GenerationOptions of(LanguageModel model) {
        return new GenerationOptions(maxNewTokens(model), TEMPERATURE, TOP_K, TOP_P, REPETITION_PENALTY, null,
                List.of(PromptFormat.END), COPY_BIAS, FACT_GUARD, MIN_COVERAGE);
    }

    /**
     * Twice the model's context. A pack decodes copy-aware, so its text ends once the draft is written, and a draft
     * longer than the context is rendered section by section; the limit only bounds a text that would not end. (A
     * limit near the style's usual length cut the longest texts short.)
     */
    static int maxNewTokens(LanguageModel model) {
        return 2 * model.config().maxPositions();
    }

    static StyleReports.Defaults json(GenerationOptions d) {
        return new StyleReports.Defaults(d.maxNewTokens(), d.temperature(), d.topK(), d.topP(), d.repetitionPenalty(),
                List.of(PromptFormat.END), d.copyBias(), d.factGuard(), d.minCoverage());
    }
}
