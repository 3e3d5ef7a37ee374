package dev.penwright.trainer.style;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class DeployGateTest {
    private static final DeployGate.Figures BASE = new DeployGate.Figures(56.0, 90.0, 0.125, 0.25);

    @Test
    void aPackWhoseStyleIsBelowTheBaseModelsIsNotDeployed() {
        // Issue 17: a pack whose own report scored its style below the base model's (52.0 vs 56.0) was deployed.
        DeployGate.Verdict v = DeployGate.judge(new DeployGate.Figures(52.0, 91.0, 0.0, 0.0), BASE, null, null,
                false);
        assertFalse(v.deploy(), v.message());
        assertTrue(v.message().contains("style score 52.0 is not above the base model's 56.0"), v.message());
    }

    @Test
    void moreStyleBoughtWithInventedFactsOrLostContentIsNotABetterPack() {
        assertFalse(DeployGate.judge(new DeployGate.Figures(70, 90, 0.25, 0.25), BASE, null, null, false).deploy());
        assertFalse(DeployGate.judge(new DeployGate.Figures(70, 90, 0.125, 0.5), BASE, null, null, false).deploy());
        assertFalse(DeployGate.judge(new DeployGate.Figures(70, 88.5, 0.125, 0.25), BASE, null, null, false).deploy());
        // Within a point of ROUGE-L is the trade a style pack makes.
        assertTrue(DeployGate.judge(new DeployGate.Figures(70, 89.5, 0.125, 0.25), BASE, null, null, false).deploy());
    }

    @Test
    void anUpdateMustAlsoBeatThePackItReplaces() {
        DeployGate.Figures pack = new DeployGate.Figures(60, 90, 0.0, 0.125);
        DeployGate.Figures better = new DeployGate.Figures(65, 91, 0.0, 0.125);
        DeployGate.Verdict v = DeployGate.judge(pack, BASE, better, null, false);
        assertFalse(v.deploy(), v.message());
        assertTrue(v.message().contains("against the deployed pack"), v.message());
        assertTrue(DeployGate.judge(better, BASE, pack, null, false).deploy());
        // A deployed pack that cannot be scored here (another base model) is no evidence for replacing it.
        assertFalse(DeployGate.judge(better, BASE, null, "cannot be scored", false).deploy());
    }

    @Test
    void forceDeploysAndSaysWhatItOverrode() {
        DeployGate.Verdict v = DeployGate.judge(new DeployGate.Figures(50, 80, 0.5, 0.5), BASE, null, null, true);
        assertTrue(v.deploy());
        assertTrue(v.message().contains("not above") && v.message().endsWith("deployed anyway (--force)"),
                v.message());
    }

    @Test
    void figuresAreReadFromAReportsValidationSide() throws Exception {
        var side = new ObjectMapper().readValue("{\"styleScore\":61.5,\"rougeL\":92.0,"
                + "\"factualHallucinationRate\":0.125,\"faithfulnessHallucinationRate\":0.25}",
                StyleReports.Scores.class);
        DeployGate.Figures f = DeployGate.Figures.of(side);
        assertTrue(f.styleScore() == 61.5 && f.rougeL() == 92.0 && f.factualRate() == 0.125
                && f.faithfulnessRate() == 0.25, f.toString());
        assertFalse(DeployGate.judge(null, BASE, null, null, false).deploy());
    }
}
