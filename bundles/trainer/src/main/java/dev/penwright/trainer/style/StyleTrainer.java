package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.models.ModelFolder;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.loop.Checkpoints;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.RunControl;

/**
 * A corpus in one voice → a style pack. The run plans its texts ({@link StyleData}), then runs its phases over one
 * {@link StyleRunContext}: S-SFT ({@link SftPhase}), optional self-improvement rounds ({@link SelfImprovePhase}) and
 * C-DPO ({@link DpoPhase}), writing a stage pack after each ({@link StageWriter}), and with a deploy folder judges the
 * last one ({@link DeployCheck}). The run folder keeps plans, checkpoints (one folder a phase) and the jar;
 * {@code resume} continues each phase from its latest checkpoint.
 */
public final class StyleTrainer {
    /** The stage folders and the stage names under them. */
    public static final String STAGE_SFT = StageWriter.SFT;
    public static final String STAGE_SELF_IMPROVE = StageWriter.SELF_IMPROVE;
    public static final String STAGE_DPO = StageWriter.DPO;

    private final Planner planner;

    public StyleTrainer(Planner planner) {
        this.planner = planner;
    }

    public StyleRun run(StyleRecipe recipe, String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled)
            throws IOException, BadDataException {
        RunControl control = new RunControl(jobId, progress, cancelled);
        Budget budget = new Budget(recipe.loop().minutes());
        Path out = recipe.out();
        Files.createDirectories(out);
        // Stage packs of an earlier run in this folder would pass for this run's (another version, maybe a stage
        // this run does not reach); each stage is written again as it completes.
        Checkpoints.deleteTree(out.resolve("stages"));
        StyleData data = StyleData.prepare(recipe, planner, control);
        budget.mark("planning");
        List<String> stages = planBudget(recipe, budget);
        // --deploy over a deployed pack scores that pack on this run's validation plans: a validation pass, planned.
        boolean replacing = DeployCheck.replacing(recipe);
        if (replacing) {
            budget.planFixed("deploy-check");
        }
        String baseId = recipe.baseModel().toAbsolutePath().normalize().getFileName().toString();
        BaseModelInfo base = ModelFolder.read(baseId, recipe.baseModel());
        try (StyleRunContext run = StyleRunContext.open(recipe, control, budget, data, base)) {
            StageWriter writer = new StageWriter(run, PackVersions.next(recipe.id(), out, recipe.deployDir()));
            budget.mark("loading");
            // The base model's validation scores before any training: their time is what each stage's scoring will
            // cost, reserved from the training phases' shares.
            writer.scoreBase();
            StyleReports.LoopFigures sft = new SftPhase(run).run();
            control.checkCancelled();
            Path lastJar = writer.write(STAGE_SFT, new StyleReports.Phases(sft, List.of(), null));
            List<StyleReports.Round> rounds = List.of();
            // The training set as the phases leave it: grown by what self-improvement kept.
            List<Example> trainingSet = run.trainExamples;
            if (recipe.selfImprove() > 0) {
                SelfImprovePhase selfImprove = new SelfImprovePhase(run);
                rounds = selfImprove.run();
                trainingSet = selfImprove.grown();
                control.checkCancelled();
                lastJar = writer.write(STAGE_SELF_IMPROVE, new StyleReports.Phases(sft, rounds, null));
            }
            if (recipe.dpo()) {
                control.checkCancelled();
                StyleReports.DpoFigures dpo = new DpoPhase(run, trainingSet).run();
                control.checkCancelled();
                lastJar = writer.write(STAGE_DPO, new StyleReports.Phases(sft, rounds, dpo));
            }
            // The run's pack is its last stage's.
            Path stageDir = lastJar.getParent();
            Path jar = out.resolve(lastJar.getFileName());
            Files.copy(lastJar, jar, StandardCopyOption.REPLACE_EXISTING);
            Path png = out.resolve("loss.png");
            Files.copy(stageDir.resolve("style/loss.png"), png, StandardCopyOption.REPLACE_EXISTING);
            DeployCheck.Outcome deploy = null;
            if (recipe.deployDir() != null) {
                control.checkCancelled();
                deploy = new DeployCheck(run, writer, replacing).judgeAndDeploy(jar);
            }
            control.sink().accept(new JobProgress(jobId, JobState.SUCCEEDED, "pack", 0, 0, Double.NaN, 0, 0, 0,
                    "wrote " + jar + " (stages: " + String.join(", ", stages) + " under " + out.resolve("stages")
                            + ")" + (deploy == null ? "" : deploy.deployed() != null
                            ? ", deployed to " + deploy.deployed()
                            : ", not deployed (" + deploy.verdict().message() + ")")
                            + "; " + budget.summary()));
            return new StyleRun(jar, writer.version(), deploy == null ? null : deploy.deployed(),
                    stageDir.resolve("style/report.json"), png, deploy == null ? null : deploy.verdict().message());
        }
    }

    /** Declares the run's phases to the budget, in run order; returns the stages the run writes. */
    private static List<String> planBudget(StyleRecipe recipe, Budget budget) {
        List<String> stages = new ArrayList<>(List.of(STAGE_SFT));
        budget.planFixed("baseline");
        budget.plan("sft", Budget.SFT);
        budget.planFixed("stage-" + STAGE_SFT);
        for (int r = 1; r <= recipe.selfImprove(); r++) {
            budget.plan("self-improve-" + r, Budget.ROUND);
        }
        if (recipe.selfImprove() > 0) {
            stages.add(STAGE_SELF_IMPROVE);
            budget.planFixed("stage-" + STAGE_SELF_IMPROVE);
        }
        if (recipe.dpo()) {
            stages.add(STAGE_DPO);
            budget.plan("dpo", Budget.DPO);
            budget.planFixed("stage-" + STAGE_DPO);
        }
        return stages;
    }
}
