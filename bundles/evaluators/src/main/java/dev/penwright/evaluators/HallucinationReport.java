package dev.penwright.evaluators;

import java.util.List;

/**
 * Factual and faithfulness hallucination over a set of outputs.
 *
 * @param factualRate      percent of checked outputs stating at least one fact found neither in the material nor
 *                         in the plan
 * @param faithfulnessHallucinationRate percent of checked outputs that drop or contradict at least one plan key
 *                         fact: a hallucination rate (lower is better), not a faithfulness score
 * @param factualChecked   how many outputs had material or a plan to check facts against
 * @param faithfulnessChecked how many outputs had a plan with key facts
 * @param items            each output's findings, in input order
 */
public record HallucinationReport(double factualRate, double faithfulnessHallucinationRate, int factualChecked,
                                  int faithfulnessChecked, List<Item> items) {
    public HallucinationReport {
        items = List.copyOf(items);
    }

    /**
     * @deprecated the name reads as a faithfulness score; it is the faithfulness <em>hallucination</em> rate: use
     * {@link #faithfulnessHallucinationRate()}
     */
    @Deprecated
    public double faithfulnessRate() {
        return faithfulnessHallucinationRate;
    }

    /**
     * One output's findings.
     *
     * @param id            the output's id
     * @param factualChecked whether there was support to check its facts against
     * @param unsupported   facts it states that neither material nor plan holds
     * @param faithfulnessChecked whether there were plan key facts to check
     * @param dropped       key facts it leaves out
     * @param contradicted  key facts it states differently
     */
    public record Item(String id, boolean factualChecked, List<Fact> unsupported, boolean faithfulnessChecked,
                       List<String> dropped, List<Contradiction> contradicted) {
        public Item {
            unsupported = List.copyOf(unsupported);
            dropped = List.copyOf(dropped);
            contradicted = List.copyOf(contradicted);
        }

        public boolean factualHallucination() {
            return factualChecked && !unsupported.isEmpty();
        }

        public boolean faithfulnessHallucination() {
            return faithfulnessChecked && !(dropped.isEmpty() && contradicted.isEmpty());
        }
    }

    /**
     * A key fact the output states differently.
     *
     * @param keyFact  the plan's key fact
     * @param expected what the key fact says (a number with its unit)
     * @param found    what the output says instead
     */
    public record Contradiction(String keyFact, String expected, String found) {
    }
}
