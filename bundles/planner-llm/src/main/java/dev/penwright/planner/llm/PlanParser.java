package dev.penwright.planner.llm;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.TokenUsage;

/**
 * Reads a model's answer as a content plan and checks it against the plan's schema: an object with non-blank
 * string title, summary and neutralDraft, a non-empty array of non-blank strings keyFacts, and a string language.
 * Models often wrap JSON in a Markdown fence or a sentence; the outermost object is taken.
 */
final class PlanParser {
    private final ObjectMapper json = new ObjectMapper();

    /** Either a plan or what is wrong with the answer. */
    record Result(ContentPlan plan, String problem) {
        boolean valid() {
            return plan != null;
        }
    }

    Result parse(String answer, Material material, String plannerId, TokenUsage usage) {
        if (answer == null || answer.isBlank()) {
            return new Result(null, "the answer is empty");
        }
        int start = answer.indexOf('{');
        int end = answer.lastIndexOf('}');
        if (start < 0 || end < start) {
            return new Result(null, "the answer holds no JSON object");
        }
        JsonNode root;
        try {
            root = json.readTree(answer.substring(start, end + 1));
        } catch (JsonProcessingException e) {
            return new Result(null, "the answer is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        List<String> problems = new ArrayList<>();
        String title = requiredText(root, "title", problems);
        String summary = requiredText(root, "summary", problems);
        String draft = requiredText(root, "neutralDraft", problems);
        List<String> keyFacts = new ArrayList<>();
        JsonNode facts = root.get("keyFacts");
        if (facts == null || !facts.isArray()) {
            problems.add("keyFacts must be an array of strings");
        } else {
            for (JsonNode f : facts) {
                if (!f.isTextual() || f.asText().isBlank()) {
                    problems.add("every keyFact must be a non-blank string");
                    break;
                }
                keyFacts.add(f.asText().strip());
            }
            if (keyFacts.isEmpty() && problems.isEmpty()) {
                problems.add("keyFacts is empty");
            }
        }
        JsonNode lang = root.get("language");
        if (lang != null && !lang.isNull() && !lang.isTextual()) {
            problems.add("language must be a string");
        }
        if (!problems.isEmpty()) {
            return new Result(null, String.join("; ", problems));
        }
        String language = lang == null || lang.isNull() || lang.asText().isBlank()
                ? (material.language().isBlank() ? "und" : material.language()) : lang.asText().strip();
        return new Result(new ContentPlan(title, summary, withMaterialFacts(material, keyFacts), draft, language,
                plannerId, usage), null);
    }

    /** The material's facts must stand verbatim among the keyFacts: those the model dropped or reworded go first. */
    static List<String> withMaterialFacts(Material material, List<String> keyFacts) {
        List<String> result = new ArrayList<>();
        for (String fact : material.facts()) {
            String f = fact.strip();
            if (!f.isEmpty() && !keyFacts.contains(f) && !result.contains(f)) {
                result.add(f);
            }
        }
        result.addAll(keyFacts);
        return result;
    }

    private static String requiredText(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            problems.add(field + " must be a non-blank string");
            return "";
        }
        return node.asText().strip();
    }
}
