package dev.penwright.trainer.style;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.trainer.data.CorpusText;

/**
 * The plans of a run's texts, kept in {@code plans.jsonl} so that a resumed run (or the next phase) does not ask the
 * planner again; an LLM planner costs money and time.
 */
public final class PlanCache {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private PlanCache() {
    }

    /** The plan of each text, by id; texts the planner rejects are left out and counted in {@code failures}. */
    public static Map<String, ContentPlan> plans(Planner planner, List<CorpusText> texts, Path file, List<String> failures)
            throws IOException {
        Map<String, ContentPlan> plans = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode n = JSON.readTree(line);
                    plans.put(n.get("id").asText(), JSON.treeToValue(n.get("plan"), ContentPlan.class));
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (CorpusText t : texts) {
                if (plans.containsKey(t.id())) {
                    continue;
                }
                try {
                    ContentPlan plan = planner.plan(material(t));
                    plans.put(t.id(), plan);
                    var node = JSON.createObjectNode();
                    node.put("id", t.id());
                    node.set("plan", JSON.valueToTree(plan));
                    out.write(JSON.writeValueAsString(node));
                    out.newLine();
                } catch (PlanningException e) {
                    failures.add(t.id() + ": " + e.getMessage());
                }
            }
        }
        Map<String, ContentPlan> ordered = new LinkedHashMap<>();
        for (CorpusText t : texts) {
            if (plans.containsKey(t.id())) {
                ordered.put(t.id(), plans.get(t.id()));
            }
        }
        return ordered;
    }

    /** The style-imitation task: the styled text itself is the material; its title is the brief. */
    public static Material material(CorpusText t) {
        return new Material(t.title(), List.of(), t.text(), "");
    }
}
