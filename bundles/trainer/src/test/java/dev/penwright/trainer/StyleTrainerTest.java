package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.train.JobProgress;
import dev.penwright.models.ModelFolder;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.stylepacks.StylePackValidator;
import dev.penwright.stylepacks.ValidatedStyle;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.loop.LoopConfig;
import dev.penwright.trainer.style.StyleRecipe;
import dev.penwright.trainer.style.StyleRun;
import dev.penwright.trainer.style.StyleTrainer;

class StyleTrainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A small voice: terse package blurbs with figures (so plans have facts to keep and to alter). */
    static List<String> corpusTexts() {
        String[] things = {"parser", "editor", "daemon", "library", "shell", "compiler", "viewer", "player",
                "checker", "server", "client", "tracker", "builder", "scanner", "mixer", "reader", "writer", "mapper",
                "linker", "loader"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < things.length; i++) {
            out.add("Tiny " + things[i] + " for the console. Version " + (i + 2) + " handles " + (10 * i + 5)
                    + " files at once. It is fast and small.");
        }
        return out;
    }

    static Path writeCorpus(Path file, List<String> texts) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            var n = JSON.createObjectNode();
            n.put("id", "blurb-" + i);
            n.put("style", "blurbs");
            n.put("title", "item " + i);
            n.put("text", texts.get(i));
            n.put("source", "test");
            n.put("license", "CC0-1.0");
            lines.add(JSON.writeValueAsString(n));
        }
        lines.add("{not json");
        Files.write(file, lines);
        return file;
    }

    static ModelCatalog catalog(Path modelDir) throws IOException {
        BaseModelInfo info = ModelFolder.read(modelDir.getFileName().toString(), modelDir);
        return new ModelCatalog() {
            @Override
            public List<BaseModelInfo> models() {
                return List.of(info);
            }

            @Override
            public Optional<BaseModelInfo> find(String id) {
                return info.id().equals(id) ? Optional.of(info) : Optional.empty();
            }
        };
    }

    @Test
    void corpusBecomesAValidDeployedPack() throws Exception {
        List<String> texts = corpusTexts();
        Path model = Tiny.model(tmp.resolve("tiny-base"), texts, 32, 2, 5);
        Path corpus = writeCorpus(tmp.resolve("blurbs.jsonl"), texts);
        Path deploy = tmp.resolve("deploy");
        Path preference = tmp.resolve("pref.jsonl");
        Files.writeString(preference, "{\"prompt\":\"<|plan|>tiny parser<|text|>\",\"chosen\":\"" + texts.get(0)
                + "\",\"rejected\":\"" + texts.get(0).replace("Version 2", "Version 9") + "\"}\n");
        LoopConfig loop = new LoopConfig(24, 0, 1e-2, 3, 0.1, 0.0, 1.0, 1, 512, 8, 8, 0, 8, 11L);
        StyleRecipe recipe = new StyleRecipe(corpus, "blurbs", model, tmp.resolve("run"), 4, 8, 0.05,
                List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), loop, 96, 0, 1,
                2, 0.0, true, 0.1, 4, false, deploy, JsonlReader.OnBadLine.SKIP, preference);
        List<JobProgress> seen = new ArrayList<>();
        StyleRun run = new StyleTrainer(new ExtractivePlanner()).run(recipe, "job-1", seen::add, null);

        assertEquals("1.0.1", run.version());
        assertTrue(Files.isRegularFile(run.jar()));
        // --deploy deploys only a pack that beats the base model (decoded the same way) on the run's validation;
        // either way the run says why, in its messages and in deploy.json.
        JsonNode scores0 = JSON.readTree(run.report().toFile()).get("validationScores");
        boolean beats = beats(scores0.get("withPack"), scores0.get("baseModel"));
        JsonNode verdict = JSON.readTree(tmp.resolve("run/deploy.json").toFile());
        assertEquals(beats, verdict.get("deployed").asBoolean(), verdict + " for " + scores0);
        assertEquals(beats ? deploy.resolve("blurbs.jar") : null, run.deployed(), verdict.toString());
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("deploy")
                && p.message().startsWith(beats ? "deployed: " : "not deployed: ")), seen.toString());
        // The validation decodes as the pack does: copy-aware decoding on for the pack and for the base model.
        assertTrue(scores0.get("withPack").get("options").asText().contains("copy bias"), scores0.toString());
        assertTrue(scores0.get("baseModel").get("options").asText().contains("copy bias"), scores0.toString());
        // Each self-improvement round says what it kept, 0 included.
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("self-improve-1") && p.message().startsWith("kept ")),
                seen.toString());
        assertTrue(Files.size(run.lossCurve()) > 1000, "loss curve PNG");
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("sft") && p.step() == 12));

        JsonNode report = JSON.readTree(run.report().toFile());
        JsonNode sft = report.get("sft");
        assertTrue(sft.get("lastLoss").asDouble() < sft.get("firstLoss").asDouble(), sft.toString());
        assertEquals(1, report.path("data").path("badLines").asInt());
        assertEquals("CC0-1.0", report.path("data").path("license").asText());
        JsonNode scores = report.get("validationScores");
        assertTrue(scores.get("items").asInt() > 0, scores.toString());
        for (String side : List.of("withPack", "baseModel")) {
            double r = scores.get(side).get("rougeL").asDouble();
            assertTrue(r >= 0 && r <= 100, scores.toString());
        }
        JsonNode round = report.get("selfImprovement").get(0);
        assertTrue(round.has("acceptanceRate"), round.toString());
        JsonNode dpo = report.get("dpo");
        assertTrue(dpo.get("pairs").asInt() > 0, dpo.toString());
        assertEquals(1, dpo.get("fromPreferenceFile").asInt(), dpo.toString());
        // The model's own samples were drawn for plans self-improvement did not sample, and their failures paired.
        assertTrue(dpo.get("ownSamplePlans").asInt() > 0, dpo.toString());
        assertTrue(dpo.get("fromOwnSamplesOwnChosen").asInt() + dpo.get("fromOwnSamplesOriginalChosen").asInt() > 0,
                dpo.toString());
        assertTrue(dpo.get("marginAfter").asDouble() > dpo.get("marginBefore").asDouble(), dpo.toString());

        // The extender's own validator accepts the pack, and each stage's pack, each with its own adapter and a
        // report.json that names exactly its stage by the bench's rule.
        ValidatedStyle style = validate(run.jar(), model, tmp.resolve("extracted"));
        assertEquals("blurbs", style.descriptor().id());
        // The style's vocabulary and form words ship in the pack (none of these texts' words is left out of drafts).
        assertTrue(Files.isRegularFile(tmp.resolve("extracted/vocabulary.txt")));
        assertTrue(Files.isRegularFile(tmp.resolve("extracted/form-words.txt")));
        assertEquals(List.of(), style.vocabulary().formWords());
        assertTrue(style.vocabulary().words().contains("files"), style.vocabulary().words().toString());
        assertEquals("CC0-1.0", style.exemplars().isEmpty() ? "" : JSON.readTree(
                Files.readAllLines(tmp.resolve("extracted/exemplars.jsonl")).get(0)).get("license").asText());
        Map<String, JsonNode> reports = new java.util.LinkedHashMap<>();
        Map<String, byte[]> adapters = new java.util.LinkedHashMap<>();
        for (String stage : List.of("s-sft", "self-improve", "c-dpo")) {
            Path jar = tmp.resolve("run/stages").resolve(stage).resolve("blurbs-1.0.1.jar");
            assertTrue(Files.isRegularFile(jar), jar.toString());
            Path dir = tmp.resolve("extracted-" + stage);
            assertEquals("blurbs", validate(jar, model, dir).descriptor().id());
            JsonNode r = JSON.readTree(dir.resolve("report.json").toFile());
            reports.put(stage, r);
            adapters.put(stage, Files.readAllBytes(dir.resolve("adapter_model.safetensors")));
            assertEquals(stage, r.get("stage").asText());
            assertEquals(stage, benchStage(r), "the bench's reading of the " + stage + " report");
            assertTrue(r.get("validationScores").has("withPack"), r.get("validationScores").toString());
        }
        assertTrue(reports.get("c-dpo").get("dpo").get("steps").asInt() > 0);
        // DPO changed the adapter; the final jar is the last stage's.
        assertTrue(!java.util.Arrays.equals(adapters.get("self-improve"), adapters.get("c-dpo")));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(run.jar()),
                Files.readAllBytes(tmp.resolve("run/stages/c-dpo/blurbs-1.0.1.jar"))));
        JsonNode budget = report.get("budget");
        assertTrue(budget.get("phases").size() >= 6, budget.toString());
        assertTrue(sft.has("keptStep"), sft.toString());
    }

    /**
     * A second run over a deployed pack of the same style scores that pack on its own validation plans and deploys
     * only when it beats it too (or with force, saying what it overrode).
     */
    @Test
    void anUpdateIsJudgedAgainstTheDeployedPack() throws Exception {
        List<String> texts = corpusTexts();
        Path model = Tiny.model(tmp.resolve("tiny-base"), texts, 32, 2, 5);
        Path corpus = writeCorpus(tmp.resolve("blurbs.jsonl"), texts);
        Path deploy = tmp.resolve("deploy");
        LoopConfig loop = new LoopConfig(12, 0, 1e-2, 3, 0.1, 0.0, 1.0, 1, 512, 8, 6, 0, 6, 11L);
        List<String> targets = List.of("q_proj", "v_proj");
        StyleRun first = new StyleTrainer(new ExtractivePlanner()).run(new StyleRecipe(corpus, "blurbs", model,
                tmp.resolve("run1"), 4, 8, 0.05, targets, loop, 96, 0, 0, 2, 0.0, false, 0.1, 4, false, deploy,
                JsonlReader.OnBadLine.SKIP, null, StyleRecipe.DataFormat.AUTO, null, true), "job-a", null, null);
        assertEquals(deploy.resolve("blurbs.jar"), first.deployed(), "force deploys whatever the figures");
        List<JobProgress> seen = new ArrayList<>();
        StyleRun second = new StyleTrainer(new ExtractivePlanner()).run(new StyleRecipe(corpus, "blurbs", model,
                tmp.resolve("run2"), 4, 8, 0.05, targets, loop.withSteps(4), 96, 0, 0, 2, 0.0, false, 0.1, 4, false,
                deploy, JsonlReader.OnBadLine.SKIP, null, StyleRecipe.DataFormat.AUTO, null, false), "job-b",
                seen::add, null);
        assertEquals("1.0.2", second.version());
        JsonNode verdict = JSON.readTree(tmp.resolve("run2/deploy.json").toFile());
        // The deployed pack was scored here: the verdict names it whichever way it went.
        assertTrue(verdict.get("reasons").toString().contains("deployed pack"), verdict.toString());
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("deploy") && p.message().contains("scoring the deployed")),
                seen.toString());
        boolean deployed = verdict.get("deployed").asBoolean();
        assertEquals(deployed ? deploy.resolve("blurbs.jar") : null, second.deployed());
        String header;
        try (JarFile jar = new JarFile(deploy.resolve("blurbs.jar").toFile())) {
            header = jar.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        assertEquals(deployed ? "1.0.2" : "1.0.1", header, "the deploy folder holds the pack the verdict chose");
        JsonNode phases = verdict.path("budget").path("phases");
        assertTrue(phases.toString().contains("\"deploy-check\""), phases.toString());
    }

    /** The deploy rule (trainer DeployGate), from a report's validation sides. */
    static boolean beats(JsonNode pack, JsonNode base) {
        return pack.get("styleScore").asDouble() > base.get("styleScore").asDouble()
                && pack.get("rougeL").asDouble() >= base.get("rougeL").asDouble() - 1.0
                && pack.get("factualHallucinationRate").asDouble() <= base.get("factualHallucinationRate").asDouble()
                && pack.get("faithfulnessHallucinationRate").asDouble()
                <= base.get("faithfulnessHallucinationRate").asDouble();
    }

    /** How the bench reads a pack's stage from report.json (bundles/bench PackStages). */
    static String benchStage(JsonNode r) {
        if (r.hasNonNull("dpo") && r.get("dpo").isObject()) {
            return "c-dpo";
        }
        if (r.path("selfImprovement").isArray() && !r.path("selfImprovement").isEmpty()) {
            return "self-improve";
        }
        return r.hasNonNull("sft") ? "s-sft" : "none";
    }

    static ValidatedStyle validate(Path jarFile, Path model, Path extracted) throws Exception {
        String header;
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            header = jar.getManifest().getMainAttributes().getValue(StylePackFormat.HEADER);
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                if (!e.isDirectory() && e.getName().startsWith(StylePackFormat.FOLDER + "/")) {
                    Path target = extracted.resolve(e.getName().substring(StylePackFormat.FOLDER.length() + 1));
                    Files.createDirectories(target.getParent());
                    try (var in = jar.getInputStream(e)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        return new StylePackValidator(catalog(model)).validate(extracted, header);
    }

    /**
     * An alpaca file (instruction, input, output; detected by its keys) trains a pack with no planner call, and a
     * whole run under --minutes keeps to its budget, with each phase's share in the report.
     */
    @Test
    void alpacaFileWithinATimeBudget() throws Exception {
        List<String> texts = corpusTexts();
        Path model = Tiny.model(tmp.resolve("tiny-base"), texts, 32, 2, 5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            var n = JSON.createObjectNode();
            n.put("instruction", "Describe tool " + i + " as a blurb.");
            n.put("input", "A console tool, version " + (i + 2) + ", " + (10 * i + 5) + " files at once.");
            n.put("output", texts.get(i));
            lines.add(JSON.writeValueAsString(n));
        }
        Path file = tmp.resolve("alpaca.jsonl");
        Files.write(file, lines);
        double minutes = 0.25;
        LoopConfig loop = new LoopConfig(0, minutes, 1e-2, 3, 0.1, 0.0, 1.0, 1, 512, 8, 8, 0, 8, 11L);
        StyleRecipe recipe = new StyleRecipe(file, "blurbs", model, tmp.resolve("run"), 4, 8, 0.05,
                List.of("q_proj", "v_proj"), loop, 96, 0, 0, 2, 0.0, true, 0.1, 1000, false, null,
                JsonlReader.OnBadLine.FAIL, null, StyleRecipe.DataFormat.AUTO, null);
        long started = System.nanoTime();
        StyleRun run = new StyleTrainer(new ExtractivePlanner() {
            @Override
            public dev.penwright.api.plan.ContentPlan plan(dev.penwright.api.plan.Material m) {
                throw new AssertionError("alpaca lines are not planned");
            }
        }).run(recipe, "job-2", null, null);
        double seconds = (System.nanoTime() - started) / 1e9;
        JsonNode report = JSON.readTree(run.report().toFile());
        assertEquals("alpaca", report.path("data").path("format").asText());
        assertEquals("c-dpo", report.path("stage").asText());
        // 15 s of budget; the DPO step cap (1000) and an unbounded S-SFT would take far longer without it.
        assertTrue(seconds < minutes * 60 + 20, "run took " + seconds + " s on a " + minutes * 60 + " s budget");
        JsonNode phases = report.path("budget").path("phases");
        for (JsonNode p : phases) {
            if (p.path("phase").asText().equals("sft")) {
                // S-SFT fits its step count to its share and ends within it (a step or a validation over at most).
                assertTrue(p.path("usedSeconds").asDouble() < p.path("plannedSeconds").asDouble() + 5, p.toString());
            }
        }
        assertTrue(phases.toString().contains("\"sft\"") && phases.toString().contains("\"dpo\""), phases.toString());
        validate(run.jar(), model, tmp.resolve("alpaca-extracted"));
    }
}
