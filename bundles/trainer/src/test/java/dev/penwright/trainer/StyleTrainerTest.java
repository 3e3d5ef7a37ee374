package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        assertEquals(deploy.resolve("blurbs.jar"), run.deployed());
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
        assertTrue(dpo.get("marginAfter").asDouble() > dpo.get("marginBefore").asDouble(), dpo.toString());

        // The extender's own validator accepts the pack.
        Path extracted = tmp.resolve("extracted");
        String header;
        try (JarFile jar = new JarFile(run.jar().toFile())) {
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
        ValidatedStyle style = new StylePackValidator(catalog(model)).validate(extracted, header);
        assertEquals("blurbs", style.descriptor().id());
        assertEquals("CC0-1.0", style.exemplars().isEmpty() ? "" : JSON.readTree(
                Files.readAllLines(extracted.resolve("exemplars.jsonl")).get(0)).get("license").asText());
    }
}
