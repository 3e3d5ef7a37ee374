package dev.penwright.trainer.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The run's time budget on a clock the test moves: fixed phases reserved at their measured cost, no refund at the end. */
class BudgetTest {
    private long now;

    private void advance(double seconds) {
        now += (long) (seconds * 1e9);
    }

    @Test
    void scoringIsReservedAtItsMeasuredCostAndTheLastTrainingPhaseTakesTheRest() {
        Budget budget = new Budget(10, () -> now);
        advance(30);
        budget.mark("planning");
        budget.planFixed("baseline");
        budget.plan("sft", Budget.SFT);
        budget.planFixed("stage-s-sft");
        budget.plan("dpo", Budget.DPO);
        budget.planFixed("stage-c-dpo");

        Budget.Share baseline = budget.begin("baseline");
        advance(20);
        baseline.end();
        assertEquals(2 * 20 * Budget.RESERVE_MARGIN, budget.reserveSeconds(), 1e-6);
        assertTrue(budget.scoresStage(), "stages are scored when their scorings fit");

        Budget.Share sft = budget.begin("sft");
        // (600 - 50 left - 2 x 20 x margin reserved) x 8 / (8 + 2): the scoring phases' weights no longer dilute it.
        assertEquals((550 - 2 * 20 * Budget.RESERVE_MARGIN) * 0.8, sft.seconds(), 1e-6);
        advance(sft.seconds());
        sft.end();

        Budget.Share stage = budget.begin("stage-s-sft");
        assertEquals(20 * Budget.RESERVE_MARGIN, stage.seconds(), 1e-6);
        advance(25);
        stage.end();

        Budget.Share dpo = budget.begin("dpo");
        // The last training phase: all that is left but the last stage's reserve, at the cost the stage just took.
        assertEquals(budget.leftSeconds() - 25 * Budget.RESERVE_MARGIN, dpo.seconds(), 1e-6);
        advance(dpo.seconds());
        dpo.end();
        Budget.Share last = budget.begin("stage-c-dpo");
        advance(25);
        last.end();
        assertEquals(600, budget.elapsedSeconds(), 60, "within 10% of the budget");
        assertTrue(budget.elapsedSeconds() <= 600, "no overrun when the costs hold: " + budget.elapsedSeconds());
        String summary = budget.summary();
        assertTrue(summary.startsWith(String.format(java.util.Locale.ROOT, "time: planning 30 s, baseline 20 s,"
                + " sft %.0f s, stage-s-sft 25 s", (550 - 2 * 20 * Budget.RESERVE_MARGIN) * 0.8)), summary);
        assertTrue(summary.endsWith("of 10.0 min"), summary);
    }

    @Test
    void scoringsThatWouldNotFitTheirShareScoreTheLastStageOnlyOnFewerOutputs() {
        Budget budget = new Budget(6, () -> now);
        budget.planFixed("baseline");
        budget.plan("sft", Budget.SFT);
        budget.planFixed("stage-s-sft");
        budget.plan("dpo", Budget.DPO);
        budget.planFixed("stage-c-dpo");
        Budget.Share baseline = budget.begin("baseline");
        // 8 outputs of at most 100 tokens at 0.05 s a token: 40 s a scoring, 120 s for three, over 15% of 360 s.
        int items = budget.planScoring(0.05, java.util.Collections.nCopies(8, 100));
        // Two scorings (the baseline and the last stage) in 54 s: 5 outputs each.
        assertEquals(5, items);
        advance(20);
        baseline.end();
        Budget.Share sft = budget.begin("sft");
        assertEquals((360 - 20 - 20 * Budget.RESERVE_MARGIN) * 0.8, sft.seconds(), 1e-6, "one scoring reserved");
        advance(sft.seconds());
        sft.end();
        Budget.Share first = budget.begin("stage-s-sft");
        assertTrue(!budget.scoresStage(), "the first stage is written unscored");
        assertEquals(0, first.seconds());
        advance(1);
        first.end();
        Budget.Share dpo = budget.begin("dpo");
        assertEquals(budget.leftSeconds() - 20 * Budget.RESERVE_MARGIN, dpo.seconds(), 1e-6,
                "an unscored stage does not renew the estimate");
        // Sampling: 16 texts at the scoring's pace (10 s each) do not fit half of the share.
        assertTrue(!dpo.affordsSampling(0.5, 1000));
        assertTrue(dpo.affordsSampling(0.5, 1));
        advance(dpo.seconds());
        dpo.end();
        budget.begin("stage-c-dpo");
        assertTrue(budget.scoresStage(), "the last stage is scored");
    }

    @Test
    void whenNotOneOutputFitsNothingIsScoredOrReserved() {
        Budget budget = new Budget(3, () -> now);
        budget.planFixed("baseline");
        budget.plan("sft", Budget.SFT);
        budget.planFixed("stage-s-sft");
        budget.begin("baseline");
        assertEquals(0, budget.planScoring(1.0, List.of(300, 300)));
        assertTrue(budget.scoresNothing());
        Budget.Share sft = budget.begin("sft");
        assertEquals(180, sft.seconds(), 1e-6, "nothing reserved");
        budget.begin("stage-s-sft");
        assertTrue(!budget.scoresStage());
    }

    @Test
    void aPhaseThatEndsEarlyLeavesItsTimeToTheTrainingPhasesAfterIt() {
        Budget budget = new Budget(10, () -> now);
        budget.plan("sft", Budget.SFT);
        budget.plan("self-improve-1", Budget.ROUND);
        budget.plan("dpo", Budget.DPO);
        Budget.Share sft = budget.begin("sft");
        assertEquals(600 * 8 / 13.0, sft.seconds(), 1e-6);
        advance(100);
        sft.end();
        Budget.Share round = budget.begin("self-improve-1");
        assertEquals(500 * 3 / 5.0, round.seconds(), 1e-6);
    }

    @Test
    void noBudgetMeansUnlimitedSharesAndStepCounts() {
        Budget budget = new Budget(0, () -> now);
        budget.plan("sft", Budget.SFT);
        budget.planFixed("stage-s-sft");
        assertEquals(Double.POSITIVE_INFINITY, budget.begin("sft").seconds());
        assertEquals(Double.POSITIVE_INFINITY, budget.begin("stage-s-sft").seconds());
        assertEquals(30, Budget.dpoSteps(0, false, 100, 2, 3));
    }

    @Test
    void dpoStepsAreGivenOrFittedWithinAFewPasses() {
        assertEquals(12, Budget.dpoSteps(12, true, 100, 2, 3));
        assertEquals(150, Budget.dpoSteps(0, true, 100, 2, 3));
        assertEquals(2, Budget.dpoSteps(0, true, 1, 2, 3));
    }

    @Test
    void spreadKeepsAnEvenSubsetInOrder() {
        assertEquals(List.of(0, 2, 5, 7), Budget.spread(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 4));
        assertEquals(List.of(1, 2), Budget.spread(List.of(1, 2), 5));
    }
}
