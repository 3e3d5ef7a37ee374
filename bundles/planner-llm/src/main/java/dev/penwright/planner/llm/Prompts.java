package dev.penwright.planner.llm;

import java.util.stream.Collectors;

import dev.penwright.api.plan.Material;

/** Fills a prompt template with the material, and words the request to correct an invalid answer. */
final class Prompts {
    static final String SYSTEM = "You are a careful content planner. You answer with a single JSON object and "
            + "nothing else.";

    private Prompts() {
    }

    static String render(String template, Material material) {
        String facts = material.facts().isEmpty() ? "(none)"
                : material.facts().stream().map(f -> "- " + f).collect(Collectors.joining("\n"));
        return template.replace("{{brief}}", orNone(material.brief()))
                .replace("{{facts}}", facts)
                .replace("{{article}}", orNone(material.sourceArticle()))
                .replace("{{language}}", material.language().isBlank() ? "detect it" : material.language());
    }

    static String correction(String problem) {
        return "That answer is not a valid plan: " + problem + ". Answer again with only the JSON object "
                + "(title, summary, keyFacts with at least one statement, neutralDraft, language).";
    }

    private static String orNone(String s) {
        return s.isBlank() ? "(none)" : s.strip();
    }
}
