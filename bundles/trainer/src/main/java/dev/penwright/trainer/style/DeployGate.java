package dev.penwright.trainer.style;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


/**
 * Whether {@code train style --deploy} may put a run's pack in front of users: only when, on the run's own validation
 * plans, it beats the base model decoded the same way (what the adapter adds) and, for an update, the pack it
 * would replace, scored on the same plans with its own template and defaults. "Beats" is one rule for both:
 * <ul>
 *   <li>a higher style score (styling is the pack's whole job),</li>
 *   <li>ROUGE-L against the held-out texts at most {@value #ROUGE_SLACK} points lower (a small loss of
 *       content for style is the trade a style pack makes; a large one is not),</li>
 *   <li>no more outputs with unsupported facts, and no more with dropped or contradicted key facts.</li>
 * </ul>
 * {@code --force} deploys anyway; either way the verdict and its reasons go into the run's messages.
 */
final class DeployGate {
    static final double ROUGE_SLACK = 1.0;
    static final String RULE = "deploys only a pack that, on the run's validation plans, beats the base model decoded"
            + " the same way and the deployed pack it replaces: higher style score, ROUGE-L at most " + ROUGE_SLACK
            + " lower, no more outputs with unsupported facts or with dropped key facts (--force deploys anyway)";

    /**
     * One side's validation figures, on the same validation plans as the other sides.
     *
     * @param styleScore       mean style score, 0-100
     * @param rougeL           mean ROUGE-L F against the held-out texts, 0-100
     * @param factualRate      share of outputs stating a fact the plan does not hold
     * @param faithfulnessRate share of outputs dropping or contradicting a key fact
     */
    record Figures(double styleScore, double rougeL, double factualRate, double faithfulnessRate) {
        /** From a side of a stage's validation scores; null when it has no figures. */
        static Figures of(StyleReports.Scores side) {
            if (side == null) {
                return null;
            }
            return new Figures(side.styleScore(), side.rougeL(), side.factualHallucinationRate(),
                    side.faithfulnessHallucinationRate());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "style %.1f, ROUGE-L %.1f, factual %.0f %%, faithfulness %.0f %%",
                    styleScore, rougeL, 100 * factualRate, 100 * faithfulnessRate);
        }
    }

    /**
     * @param deploy  whether the pack goes into the deploy folder
     * @param reasons why (each comparison that failed, or that all passed), one sentence each
     */
    record Verdict(boolean deploy, List<String> reasons) {
        Verdict {
            reasons = List.copyOf(reasons);
        }

        String message() {
            return String.join("; ", reasons);
        }
    }

    /** The ways {@code pack} falls short of {@code other} (empty: it beats it). */
    static List<String> shortfalls(Figures pack, Figures other, String otherName) {
        List<String> out = new ArrayList<>();
        if (!(pack.styleScore() > other.styleScore())) {
            out.add(String.format(Locale.ROOT, "style score %.1f is not above %s's %.1f", pack.styleScore(),
                    otherName, other.styleScore()));
        }
        if (pack.rougeL() < other.rougeL() - ROUGE_SLACK) {
            out.add(String.format(Locale.ROOT, "ROUGE-L %.1f is more than %.0f below %s's %.1f", pack.rougeL(),
                    ROUGE_SLACK, otherName, other.rougeL()));
        }
        if (pack.factualRate() > other.factualRate()) {
            out.add(String.format(Locale.ROOT, "%.0f %% of outputs state unsupported facts, %s's %.0f %%",
                    100 * pack.factualRate(), otherName, 100 * other.factualRate()));
        }
        if (pack.faithfulnessRate() > other.faithfulnessRate()) {
            out.add(String.format(Locale.ROOT, "%.0f %% of outputs drop key facts, %s's %.0f %%",
                    100 * pack.faithfulnessRate(), otherName, 100 * other.faithfulnessRate()));
        }
        return out;
    }

    /**
     * @param pack         the run's pack
     * @param base         the base model with the pack's template and decoding, no adapter (null: not scored)
     * @param replaced     the deployed pack this one would replace, on the same plans (null: none, or not scored)
     * @param replacedNote why the replaced pack was not scored, or null
     * @param force        deploy whatever the figures say
     */
    static Verdict judge(Figures pack, Figures base, Figures replaced, String replacedNote, boolean force) {
        List<String> reasons = new ArrayList<>();
        boolean ok = true;
        if (pack == null || base == null) {
            reasons.add("no validation figures to compare (no validation plan)");
            ok = false;
        } else {
            List<String> vsBase = shortfalls(pack, base, "the base model");
            if (!vsBase.isEmpty()) {
                ok = false;
                reasons.add("against the base model: " + String.join(", ", vsBase));
            }
            if (replaced != null) {
                List<String> vsOld = shortfalls(pack, replaced, "the deployed pack");
                if (!vsOld.isEmpty()) {
                    ok = false;
                    reasons.add("against the deployed pack: " + String.join(", ", vsOld));
                } else if (!vsBase.isEmpty()) {
                    reasons.add("it beats the deployed pack (" + replaced + " vs " + pack + ")");
                }
            } else if (replacedNote != null) {
                ok = false;
                reasons.add(replacedNote);
            }
        }
        if (ok) {
            reasons.add("it beats the base model (" + base + " vs " + pack + ")"
                    + (replaced == null ? "" : " and the deployed pack (" + replaced + ")"));
        }
        if (!ok && force) {
            reasons.add("deployed anyway (--force)");
        }
        return new Verdict(ok || force, reasons);
    }
}
