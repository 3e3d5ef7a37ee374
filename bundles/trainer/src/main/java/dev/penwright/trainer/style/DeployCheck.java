package dev.penwright.trainer.style;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.trainer.loop.Checkpoints;
import dev.penwright.stylepacks.DeployFolder;
import dev.penwright.stylepacks.InvalidStylePackException;
import dev.penwright.stylepacks.StylePackJar;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.ValidatedStyle;

/**
 * {@code --deploy}: the {@link DeployGate} verdict on the run's pack, written to {@code deploy.json}, and the pack
 * copied into the deploy folder when it passes. The pack's last stage's validation figures are judged against the
 * base model's (same plans, same decoding) and, when a pack of this style is deployed, against that pack scored here
 * on the same plans with its own template, defaults and vocabulary.
 */
final class DeployCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StyleRunContext run;
    private final StageWriter stages;
    /** Whether a deployed pack was there as the run began, so that its scoring was planned into the budget. */
    private final boolean replacing;

    DeployCheck(StyleRunContext run, StageWriter stages, boolean replacing) {
        this.run = run;
        this.stages = stages;
        this.replacing = replacing;
    }

    /** Whether the deploy folder already holds a pack of this style: judging against it is a planned phase. */
    static boolean replacing(StyleRecipe recipe) {
        return recipe.deployDir() != null && Files.isRegularFile(current(recipe));
    }

    private static Path current(StyleRecipe recipe) {
        return recipe.deployDir().resolve(recipe.id() + ".jar");
    }

    /** The outcome: the verdict, and where the pack went (null when it was not deployed). */
    record Outcome(DeployGate.Verdict verdict, Path deployed) {
    }

    Outcome judgeAndDeploy(Path jar) throws IOException {
        Budget.Share share = replacing ? run.budget.begin("deploy-check") : null;
        DeployGate.Verdict verdict = verdict();
        if (share != null) {
            share.end();
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(run.out().resolve("deploy.json").toFile(),
                new StyleReports.DeployReport(verdict.deploy(), DeployGate.RULE, verdict.reasons(),
                        run.budget.report()));
        Path deployed = verdict.deploy() ? new DeployFolder(run.recipe.deployDir()).deploy(jar) : null;
        run.control.note("deploy", (verdict.deploy() ? "deployed: " : "not deployed: ") + verdict.message());
        return new Outcome(verdict, deployed);
    }

    private DeployGate.Verdict verdict() throws IOException {
        StyleReports.StageScores mine = stages.lastScores();
        DeployGate.Figures packFigures = mine == null ? null : DeployGate.Figures.of(mine.withPack());
        DeployGate.Figures baseFigures = mine == null ? null : DeployGate.Figures.of(mine.baseModel());
        DeployGate.Figures replaced = null;
        String replacedNote = null;
        Path current = current(run.recipe);
        // Without figures of its own (the time budget held no scoring) the pack is not judged on evidence: scoring
        // what it would replace proves nothing.
        if (Files.isRegularFile(current) && packFigures != null) {
            run.control.note("deploy", "scoring the deployed " + current.getFileName()
                    + " on the same validation plans");
            Path work = run.out().resolve("replaced-pack");
            Checkpoints.deleteTree(work);
            try {
                replaced = DeployGate.Figures.of(scoreDeployed(current, work.resolve("style")).scores());
            } catch (InvalidStylePackException e) {
                // Another base model (or a broken file): it cannot be scored here, so there is no evidence this
                // pack is better than what users have now.
                replacedNote = "the deployed " + current.getFileName() + " cannot be scored on this base model ("
                        + e.getMessage() + ")";
            } finally {
                Checkpoints.deleteTree(work);
            }
        }
        return DeployGate.judge(packFigures, baseFigures, replaced, replacedNote, run.recipe.force());
    }

    /** The deployed pack, unpacked into {@code styleDir}, scored with its own template, defaults and vocabulary. */
    private StyleReports.Validation scoreDeployed(Path jar, Path styleDir)
            throws IOException, InvalidStylePackException {
        StylePackJar.Header header = StylePackJar.read(jar, styleDir);
        ValidatedStyle old = new StylePackValidator(new OneModel(run.base)).validate(styleDir, header.styleId());
        GenerationOptions oldDefaults = old.descriptor().defaults().over(stages.defaults());
        PromptTemplate oldTemplate = old.descriptor().promptTemplate() == null
                || old.descriptor().promptTemplate().isBlank() ? PromptTemplate.DEFAULT
                : new PromptTemplate(old.descriptor().promptTemplate());
        try (LoraAdapter oldAdapter = run.model.loadAdapter(styleDir)) {
            return stages.scorer().score(oldAdapter, oldTemplate, oldDefaults, old.vocabulary());
        }
    }

    /** The run's own base model as the validator's catalog: a replaced pack must be on it to be scored. */
    private record OneModel(BaseModelInfo model) implements ModelCatalog {
        @Override
        public List<BaseModelInfo> models() {
            return List.of(model);
        }

        @Override
        public Optional<BaseModelInfo> find(String id) {
            return model.id().equals(id) ? Optional.of(model) : Optional.empty();
        }
    }
}
