package dev.penwright.api.plan;

import java.util.List;

/**
 * What the user brings: a brief, facts that must appear, and/or a source article. Any part may be empty.
 *
 * @param brief         the instruction or short description of what to write
 * @param facts         facts to keep verbatim
 * @param sourceArticle an article to restate (the style-imitation task of training uses the styled original)
 * @param language      BCP 47 tag, or empty to let the planner detect it
 */
public record Material(String brief, List<String> facts, String sourceArticle, String language) {
    public Material {
        brief = brief == null ? "" : brief;
        facts = facts == null ? List.of() : List.copyOf(facts);
        sourceArticle = sourceArticle == null ? "" : sourceArticle;
        language = language == null ? "" : language;
    }

    /** Material that is just one text, such as a whole article to restate. */
    public static Material ofArticle(String article) {
        return new Material("", List.of(), article, "");
    }

    public boolean isEmpty() {
        return brief.isBlank() && facts.isEmpty() && sourceArticle.isBlank();
    }
}
