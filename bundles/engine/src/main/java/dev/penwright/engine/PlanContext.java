package dev.penwright.engine;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What copy-aware decoding (see {@link dev.penwright.api.generate.GenerationOptions#copyBias()},
 * {@code factGuard}, {@code minCoverage}) needs beside the prompt: the plan's tokens and the style's vocabulary.
 *
 * @param planIds    the plan's token ids, usually the plan's span of the prompt ({@link #span})
 * @param vocabulary words the fact guard allows beside the plan's (a pack's
 *                   {@link dev.penwright.api.style.StyleVocabulary}); empty for none
 */
public record PlanContext(long[] planIds, List<String> vocabulary) {
    public PlanContext {
        if (planIds == null || planIds.length == 0) {
            throw new IllegalArgumentException("a plan context needs the plan's token ids");
        }
        planIds = planIds.clone();
        vocabulary = vocabulary == null ? List.of() : List.copyOf(vocabulary);
    }

    /** The plan as the token span {@code [from, to)} of the prompt. */
    public static PlanContext span(long[] promptIds, int from, int to, Collection<String> vocabulary) {
        if (from < 0 || to > promptIds.length || from >= to) {
            throw new IllegalArgumentException("plan span [" + from + ", " + to + ") is not inside the prompt's "
                    + promptIds.length + " tokens");
        }
        return new PlanContext(Arrays.copyOfRange(promptIds, from, to), vocabulary == null ? null : List.copyOf(vocabulary));
    }
}
