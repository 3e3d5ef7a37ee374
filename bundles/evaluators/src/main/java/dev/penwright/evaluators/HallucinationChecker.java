package dev.penwright.evaluators;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * The two hallucination rates of the SAG paper, computed from facts ({@link FactExtractor}) rather than by an LLM
 * judge:
 * <ul>
 * <li>factual: the output states a fact (number, date, name, quoted term) that neither the material nor the plan
 * holds;</li>
 * <li>faithfulness: the output drops a plan key fact, or contradicts one (the key fact's number is missing and the
 * output gives another number with the same unit or after the same word).</li>
 * </ul>
 * A key fact with checkable facts is kept when all of them appear in the output; one without (plain prose) is kept
 * when at least half of its content words (or, for Chinese, characters) appear.
 */
public final class HallucinationChecker {
    /** Share of a prose key fact's content words that must appear for it to count as kept. */
    static final double PROSE_RECALL = 0.5;
    private static final Set<String> STOPWORDS = Set.of("the", "a", "an", "and", "or", "of", "to", "in", "on", "for",
            "is", "are", "was", "were", "be", "it", "its", "this", "that", "with", "as", "by", "at", "from", "can",
            "which", "who", "has", "have", "not", "but", "also", "such", "into", "their", "they", "you", "your",
            "的", "了", "是", "在", "和", "也", "就", "都", "而", "及", "与", "着", "或", "一", "不", "有", "这", "那");
    private static final Pattern WORD_BEFORE_NUMBER = Pattern.compile("([\\p{L}]+)\\W{0,3}$");

    private final FactExtractor extractor = new FactExtractor();

    /** The signature of the scores, in the manner of sacrebleu's. */
    public static String signature() {
        return "facts:number+date+name+quoted|lang:en+zh|keyfact:all-facts-or-recall0.5|judge:rules|impl:penwright";
    }

    /**
     * Checks one output.
     *
     * @param material what the user gave (may be null)
     * @param plan     the plan the output was written from (may be null)
     */
    public HallucinationReport.Item check(String id, String output, Material material, ContentPlan plan) {
        String text = output == null ? "" : output;
        String support = supportText(material, plan);
        boolean factual = !support.isBlank();
        List<Fact> unsupported = new ArrayList<>();
        if (factual) {
            Support s = new Support(support);
            for (Fact f : extractor.extract(text)) {
                if (!s.holds(f) && unsupported.stream().noneMatch(u -> u.key().equals(f.key()) && u.kind() == f.kind())) {
                    unsupported.add(f);
                }
            }
        }
        boolean faithful = plan != null && !plan.keyFacts().isEmpty();
        List<String> dropped = new ArrayList<>();
        List<HallucinationReport.Contradiction> contradicted = new ArrayList<>();
        if (faithful) {
            Support inOutput = new Support(text);
            List<Fact> outputFacts = extractor.extract(text);
            for (String keyFact : plan.keyFacts()) {
                checkKeyFact(keyFact, text, inOutput, outputFacts, dropped, contradicted);
            }
        }
        return new HallucinationReport.Item(id, factual, unsupported, faithful, dropped, contradicted);
    }

    public HallucinationReport check(List<String> ids, List<String> outputs, List<Material> materials,
                                     List<ContentPlan> plans) {
        List<HallucinationReport.Item> items = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            items.add(check(ids.get(i), outputs.get(i), materials.get(i), plans.get(i)));
        }
        return summarise(items);
    }

    public static HallucinationReport summarise(List<HallucinationReport.Item> items) {
        int factualChecked = 0;
        int factualBad = 0;
        int faithChecked = 0;
        int faithBad = 0;
        for (HallucinationReport.Item it : items) {
            factualChecked += it.factualChecked() ? 1 : 0;
            factualBad += it.factualHallucination() ? 1 : 0;
            faithChecked += it.faithfulnessChecked() ? 1 : 0;
            faithBad += it.faithfulnessHallucination() ? 1 : 0;
        }
        return new HallucinationReport(rate(factualBad, factualChecked), rate(faithBad, faithChecked), factualChecked,
                faithChecked, items);
    }

    private static double rate(int bad, int checked) {
        return checked == 0 ? Double.NaN : 100.0 * bad / checked;
    }

    private void checkKeyFact(String keyFact, String output, Support inOutput, List<Fact> outputFacts,
                              List<String> dropped, List<HallucinationReport.Contradiction> contradicted) {
        List<Fact> facts = extractor.extract(keyFact);
        if (facts.isEmpty()) {
            if (proseRecall(keyFact, output) < PROSE_RECALL) {
                dropped.add(keyFact);
            }
            return;
        }
        boolean missing = false;
        for (Fact f : facts) {
            if (inOutput.holds(f)) {
                continue;
            }
            missing = true;
            if (f.kind() == Fact.Kind.NUMBER) {
                Fact rival = rivalNumber(keyFact, f, output, outputFacts);
                if (rival != null) {
                    contradicted.add(new HallucinationReport.Contradiction(keyFact, f.text(), rival.text()));
                    return;
                }
            }
        }
        if (missing) {
            dropped.add(keyFact);
        }
    }

    /** A different number in the output with the same unit, or after the same word, as the key fact's number. */
    private static Fact rivalNumber(String keyFact, Fact expected, String output, List<Fact> outputFacts) {
        String wordBefore = wordBefore(FactExtractor.normalize(keyFact), expected.text());
        for (Fact f : outputFacts) {
            if (f.kind() != Fact.Kind.NUMBER || f.key().equals(expected.key())) {
                continue;
            }
            if (!expected.unit().isEmpty() && expected.unit().equals(f.unit())) {
                return f;
            }
            if (wordBefore != null && wordBefore.equals(wordBefore(FactExtractor.normalize(output), f.text()))) {
                return f;
            }
        }
        return null;
    }

    private static String wordBefore(String text, String factText) {
        int at = text.indexOf(factText);
        if (at <= 0) {
            return null;
        }
        Matcher m = WORD_BEFORE_NUMBER.matcher(text.substring(Math.max(0, at - 40), at));
        if (!m.find()) {
            return null;
        }
        String w = m.group(1).toLowerCase(Locale.ROOT);
        return STOPWORDS.contains(w) ? null : w;
    }

    private static double proseRecall(String keyFact, String output) {
        Set<String> want = FactExtractor.words(keyFact);
        want.removeIf(w -> STOPWORDS.contains(w) || (w.length() < 3 && !RougeTokenizer.isCjk(w.codePointAt(0))));
        if (want.isEmpty()) {
            return 1;
        }
        Set<String> have = FactExtractor.words(output);
        long found = want.stream().filter(have::contains).count();
        return (double) found / want.size();
    }

    private static String supportText(Material material, ContentPlan plan) {
        StringBuilder sb = new StringBuilder();
        if (material != null) {
            sb.append(material.brief()).append('\n');
            material.facts().forEach(f -> sb.append(f).append('\n'));
            sb.append(material.sourceArticle()).append('\n');
        }
        if (plan != null) {
            sb.append(plan.title()).append('\n').append(plan.summary()).append('\n');
            plan.keyFacts().forEach(f -> sb.append(f).append('\n'));
            sb.append(plan.neutralDraft()).append('\n');
            // A numbered list's numbers are the plan's (the order of its steps), though its draft writes none.
            plan.numberedItems().forEach(item -> sb.append(item.number()).append('\n'));
            plan.verbatimBlocks().forEach(block -> sb.append(block.text()).append('\n'));
        }
        return sb.toString();
    }

    /** What a text can vouch for: its numbers in any notation, its words, its squashed form for quoted terms. */
    private final class Support {
        private final Set<String> numbers;
        private final Set<String> words;
        private final String squashed;

        Support(String text) {
            this.numbers = extractor.supportNumbers(text);
            this.words = FactExtractor.words(text);
            this.squashed = FactExtractor.squash(text);
        }

        boolean holds(Fact f) {
            return switch (f.kind()) {
                case NUMBER -> numbers.contains(f.key());
                case DATE -> numbers.contains("date:" + f.key()) || dateParts(f.key());
                case NAME -> FactExtractor.words(f.text()).stream().allMatch(words::contains);
                case QUOTED -> squashed.contains(f.key());
            };
        }

        /** A date is supported when its day and year (if any) are mentioned and its month is named or numbered. */
        private boolean dateParts(String key) {
            String[] parts = key.split("-");
            for (int i = 1; i < parts.length; i++) {
                if (!numbers.contains(parts[i])) {
                    return false;
                }
            }
            return numbers.contains(parts[0]) || monthNamed(Integer.parseInt(parts[0]));
        }

        private boolean monthNamed(int month) {
            String[] names = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
            String prefix = names[month - 1];
            return words.stream().anyMatch(w -> w.startsWith(prefix));
        }
    }
}
