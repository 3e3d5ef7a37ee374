package dev.penwright.api.plan;

import java.util.List;

/**
 * A style-neutral content plan: what the article must say, not how.
 *
 * @param title        the article's title
 * @param summary      one or two sentences
 * @param keyFacts     short statements; numbers, names, dates and quoted terms kept verbatim
 * @param neutralDraft the content as plain, neutral prose
 * @param language     BCP 47 tag
 * @param plannerId    the planner that made it
 * @param usage        tokens spent making it
 * @param numberedItems the draft's sentences that were items of a numbered list, in the draft's order (empty when
 *                      it had none, or when the planner does not say)
 * @param verbatimBlocks the material's blocks that are not prose (shell sessions, listings), kept as they stand, in
 *                       the draft's order, each with the draft sentence it follows
 */
public record ContentPlan(String title, String summary, List<String> keyFacts, String neutralDraft,
                          String language, String plannerId, TokenUsage usage, List<NumberedItem> numberedItems,
                          List<VerbatimBlock> verbatimBlocks) {
    public ContentPlan {
        title = title == null ? "" : title;
        summary = summary == null ? "" : summary;
        keyFacts = keyFacts == null ? List.of() : List.copyOf(keyFacts);
        neutralDraft = neutralDraft == null ? "" : neutralDraft;
        language = language == null ? "" : language;
        plannerId = plannerId == null ? "" : plannerId;
        usage = usage == null ? TokenUsage.NONE : usage;
        numberedItems = numberedItems == null ? List.of() : List.copyOf(numberedItems);
        verbatimBlocks = verbatimBlocks == null ? List.of() : List.copyOf(verbatimBlocks);
    }

    /** A plan that is all prose: no numbered list, no block kept verbatim (or a planner that does not say). */
    public ContentPlan(String title, String summary, List<String> keyFacts, String neutralDraft,
                       String language, String plannerId, TokenUsage usage) {
        this(title, summary, keyFacts, neutralDraft, language, plannerId, usage, List.of(), List.of());
    }
}
