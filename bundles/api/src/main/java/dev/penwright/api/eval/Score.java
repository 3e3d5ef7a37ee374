package dev.penwright.api.eval;

/**
 * One figure on a 0 to 100 scale.
 *
 * @param name      such as bleu4, rougeL, styleScore, factualHallucination, faithfulnessHallucination
 * @param value     0 to 100
 * @param signature how it was computed, in the manner of sacrebleu's signatures
 *                  (for example {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0})
 */
public record Score(String name, double value, String signature) {
}
