package dev.penwright.evaluators;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * The LLM-judge variant of {@link HallucinationChecker}: a configured LLM endpoint reads the material, the plan's key
 * facts and the output, and lists the output's facts that neither supports (factual hallucination) and the key facts
 * the output drops or contradicts (faithfulness hallucination). Same two rates, same meaning, judged by a model
 * instead of rules; an answer that is not the asked-for JSON leaves the output unjudged (counted, not guessed).
 */
public final class LlmHallucinationJudge {
    static final String SYSTEM = "You check generated texts for hallucinations. Answer with one JSON object only.";
    /** Material beyond this many characters is cut: the judge needs the facts, not a whole book. */
    static final int MAX_MATERIAL_CHARS = 6000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One output's verdict.
     *
     * @param judged       whether the judge gave a usable answer
     * @param unsupported  facts the output states that neither material nor plan supports
     * @param dropped      plan key facts the output leaves out
     * @param contradicted plan key facts the output states differently
     * @param problem      why it was not judged, or empty
     */
    public record Verdict(String id, boolean judged, List<String> unsupported, List<String> dropped,
                          List<String> contradicted, String problem) {
        public Verdict {
            unsupported = List.copyOf(unsupported);
            dropped = List.copyOf(dropped);
            contradicted = List.copyOf(contradicted);
        }

        public boolean factualHallucination() {
            return judged && !unsupported.isEmpty();
        }

        public boolean faithfulnessHallucination() {
            return judged && !(dropped.isEmpty() && contradicted.isEmpty());
        }
    }

    /**
     * The rates over a set of outputs, in percent of the judged ones (lower is better).
     *
     * @param unjudged outputs the judge gave no usable answer for (left out of the rates)
     */
    public record Report(double factualHallucinationRate, double faithfulnessHallucinationRate, int judged,
                         int unjudged, List<Verdict> verdicts) {
        public Report {
            verdicts = List.copyOf(verdicts);
        }
    }

    private final LlmEndpoint endpoint;

    public LlmHallucinationJudge(LlmEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    public String signature() {
        return "judge:llm|endpoint:" + endpoint.id() + "|model:" + endpoint.model() + "|impl:penwright";
    }

    public Verdict judge(String id, String output, Material material, ContentPlan plan) {
        List<String> keyFacts = plan == null ? List.of() : plan.keyFacts();
        if (output == null || output.isBlank()) {
            // Nothing said: nothing invented, every key fact dropped. No model needed for that.
            return new Verdict(id, true, List.of(), keyFacts, List.of(), "");
        }
        String answer;
        try {
            answer = endpoint.chat(SYSTEM, prompt(output, material, plan), 600);
        } catch (IOException e) {
            return new Verdict(id, false, List.of(), List.of(), List.of(), e.getMessage());
        }
        return parse(id, answer);
    }

    public Report judge(List<String> ids, List<String> outputs, List<Material> materials, List<ContentPlan> plans) {
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            verdicts.add(judge(ids.get(i), outputs.get(i), materials.get(i), plans.get(i)));
        }
        return summarise(verdicts);
    }

    public static Report summarise(List<Verdict> verdicts) {
        int judged = 0;
        int factual = 0;
        int faithless = 0;
        for (Verdict v : verdicts) {
            if (v.judged()) {
                judged++;
                factual += v.factualHallucination() ? 1 : 0;
                faithless += v.faithfulnessHallucination() ? 1 : 0;
            }
        }
        return new Report(judged == 0 ? 0 : 100.0 * factual / judged, judged == 0 ? 0 : 100.0 * faithless / judged,
                judged, verdicts.size() - judged, verdicts);
    }

    static String prompt(String output, Material material, ContentPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("SOURCE MATERIAL\n");
        if (material != null) {
            if (!material.brief().isBlank()) {
                sb.append("Brief: ").append(material.brief().strip()).append('\n');
            }
            material.facts().forEach(f -> sb.append("Fact: ").append(f).append('\n'));
            String article = material.sourceArticle().strip();
            if (article.length() > MAX_MATERIAL_CHARS) {
                article = article.substring(0, MAX_MATERIAL_CHARS) + " […]";
            }
            if (!article.isEmpty()) {
                sb.append(article).append('\n');
            }
        }
        sb.append("\nKEY FACTS OF THE PLAN\n");
        if (plan == null || plan.keyFacts().isEmpty()) {
            sb.append("(none)\n");
        } else {
            plan.keyFacts().forEach(f -> sb.append("- ").append(f).append('\n'));
        }
        sb.append("\nTEXT TO CHECK\n").append(output.strip()).append("\n\n");
        sb.append("List (1) every fact the text states — a number, date, name or quoted term, or a claim — that neither "
                + "the source material nor the key facts support; (2) every key fact the text leaves out; (3) every "
                + "key fact the text states differently (another number, name or date). Quote them briefly. Answer "
                + "with exactly this JSON: {\"unsupported\": [...], \"dropped\": [...], \"contradicted\": [...]}");
        return sb.toString();
    }

    /** The JSON object in an answer (a Markdown fence or a sentence around it is tolerated). */
    static Verdict parse(String id, String answer) {
        if (answer == null) {
            return new Verdict(id, false, List.of(), List.of(), List.of(), "no answer");
        }
        int from = answer.indexOf('{');
        int to = answer.lastIndexOf('}');
        if (from < 0 || to <= from) {
            return new Verdict(id, false, List.of(), List.of(), List.of(), "the answer holds no JSON object");
        }
        try {
            JsonNode node = JSON.readTree(answer.substring(from, to + 1));
            for (String field : List.of("unsupported", "dropped", "contradicted")) {
                if (!node.path(field).isArray()) {
                    return new Verdict(id, false, List.of(), List.of(), List.of(), "no \"" + field + "\" array");
                }
            }
            return new Verdict(id, true, strings(node.get("unsupported")), strings(node.get("dropped")),
                    strings(node.get("contradicted")), "");
        } catch (IOException e) {
            return new Verdict(id, false, List.of(), List.of(), List.of(), "malformed JSON: " + e.getMessage());
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            String s = n.isTextual() ? n.asText() : n.toString();
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        });
        return out;
    }
}
