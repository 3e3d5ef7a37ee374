package dev.penwright.engine;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import dev.penwright.api.style.FormOpeners;
import dev.penwright.api.style.StyleVocabulary;

/**
 * What copy-aware decoding (see {@link dev.penwright.api.generate.GenerationOptions#copyBias()},
 * {@code factGuard}, {@code minCoverage}) needs beside the prompt: the plan's tokens and the style's vocabulary.
 *
 * @param planIds    the plan's token ids, usually the plan's span of the prompt ({@link #span})
 * @param copyIds    what the plan-copy bias writes out in order: the plan's draft as token ids (the whole plan when
 *                   none is given; a title and key facts that the draft repeats would otherwise be written twice)
 * @param vocabulary words the fact guard allows beside the plan's (a pack's
 *                   {@link dev.penwright.api.style.StyleVocabulary}); empty for none
 * @param formWords  the style's form words, which the plan-copy bias leaves to the model and the guard lets through
 *                   ({@link dev.penwright.api.style.StyleVocabulary#formWords()}); empty for none
 * @param formOpeners which form word the style writes on a first line, by the word after it: weighs the model's
 *                   choice among form words there ({@link FormOpeners}); none for none
 * @param signsOff   whether the style signs its texts off ({@link StyleVocabulary#signsOff()}): a line break the
 *                   model prefers before the draft's last sentence is then a target beside it
 * @param signOffDash the dash the style signs with ("--", "—"), the only one a signature may take; empty for any
 * @param verbatim   byte ranges of the copy source ({@code [start, end)} pairs, in the UTF-8 of its text) that are
 *                   written exactly as they stand, white space included: a plan's verbatim blocks; empty for none
 */
public record PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary, List<String> formWords,
                          FormOpeners formOpeners, boolean signsOff, String signOffDash, int[] verbatim) {
    public PlanContext {
        if (planIds == null || planIds.length == 0) {
            throw new IllegalArgumentException("a plan context needs the plan's token ids");
        }
        planIds = planIds.clone();
        copyIds = copyIds == null || copyIds.length == 0 ? planIds : copyIds.clone();
        vocabulary = vocabulary == null ? List.of() : List.copyOf(vocabulary);
        formWords = formWords == null ? List.of() : List.copyOf(formWords);
        formOpeners = formOpeners == null ? FormOpeners.NONE : formOpeners;
        signOffDash = signOffDash == null ? "" : signOffDash.strip();
        verbatim = verbatim == null ? new int[0] : verbatim.clone();
        if (verbatim.length % 2 != 0) {
            throw new IllegalArgumentException("verbatim ranges come as [start, end) pairs");
        }
    }

    /** A plan with no verbatim ranges in its copy source. */
    public PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary, List<String> formWords,
                       FormOpeners formOpeners, boolean signsOff, String signOffDash) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, signOffDash, new int[0]);
    }

    /** A plan whose style signs off with any attribution dash, if it does. */
    public PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary, List<String> formWords,
                       FormOpeners formOpeners, boolean signsOff) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, "");
    }

    /** A plan whose style has form words but no counts of where they go. */
    public PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary, List<String> formWords) {
        this(planIds, copyIds, vocabulary, formWords, FormOpeners.NONE);
    }

    /** A plan whose style does not sign off. */
    public PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary, List<String> formWords,
                       FormOpeners formOpeners) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, false);
    }

    /** A plan without form words. */
    public PlanContext(long[] planIds, long[] copyIds, List<String> vocabulary) {
        this(planIds, copyIds, vocabulary, List.of());
    }

    /** A plan whose copy source is the whole plan. */
    public PlanContext(long[] planIds, List<String> vocabulary) {
        this(planIds, null, vocabulary);
    }

    /** The same plan, its copy cursor walking {@code ids} (the plan's draft) instead of the whole plan. */
    public PlanContext withCopySource(long[] ids) {
        return new PlanContext(planIds, ids, vocabulary, formWords, formOpeners, signsOff, signOffDash, new int[0]);
    }

    /** The same plan, the copy source's byte ranges {@code spans} ({@code [start, end)} pairs) copied as they stand. */
    public PlanContext withVerbatim(int[] spans) {
        return new PlanContext(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, signOffDash, spans);
    }

    /** The same plan with the style's form words. */
    public PlanContext withFormWords(List<String> words) {
        return new PlanContext(planIds, copyIds, vocabulary, words, formOpeners, signsOff, signOffDash, verbatim);
    }

    /** The same plan with the style's form words, where its first line puts them, and whether it signs off. */
    public PlanContext withForm(StyleVocabulary style) {
        return new PlanContext(planIds, copyIds, vocabulary, style.formWords(), style.formOpeners(), style.signsOff(),
                signOffDash, verbatim);
    }

    /** The same plan, its signature (if the style signs off) taking only {@code dash}; empty for any dash. */
    public PlanContext withSignOffDash(String dash) {
        return new PlanContext(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, dash, verbatim);
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
