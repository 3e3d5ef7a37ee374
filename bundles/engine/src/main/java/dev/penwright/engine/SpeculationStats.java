package dev.penwright.engine;

/**
 * What plan-lookup speculative decoding did in a run (all zero with it off).
 *
 * @param decodeSteps       forward passes after prefill, speculative or not
 * @param speculativeSteps  those that verified drafts (more than one token a row)
 * @param drafts            rows' drafts verified (a row with a draft in a speculative pass counts once)
 * @param draftTokens       draft tokens verified
 * @param acceptedTokens    draft tokens accepted (each saved one sequential step for its row)
 */
public record SpeculationStats(long decodeSteps, long speculativeSteps, long drafts, long draftTokens,
                               long acceptedTokens) {
    public static final SpeculationStats NONE = new SpeculationStats(0, 0, 0, 0, 0);

    /** Mean accepted draft tokens a draft (0 with none). */
    public double meanAcceptedLength() {
        return drafts == 0 ? 0 : acceptedTokens / (double) drafts;
    }

    /** Accepted draft tokens over drafted ones (0 with none). */
    public double acceptanceRate() {
        return draftTokens == 0 ? 0 : acceptedTokens / (double) draftTokens;
    }
}
