package dev.penwright.trainer.dpo;

/**
 * One C-DPO pair: the same prompt, a chosen continuation faithful to the plan and a rejected one that states facts
 * the plan does not hold.
 *
 * @param source how the rejected side was made (sampled-hallucination, altered-plan, altered-text)
 */
public record DpoPair(String id, long[] prompt, long[] chosen, long[] rejected, String source) {
}
