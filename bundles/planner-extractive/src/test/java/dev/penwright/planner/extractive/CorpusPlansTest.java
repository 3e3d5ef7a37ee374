package dev.penwright.planner.extractive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * The planner on real corpus entries (English product copy, the Jargon File, Chinese fortunes): it invents
 * nothing, finds the facts, is deterministic, and is fast. Reads the project's corpora/ (penwright.corpora); skips only when that folder is absent.
 */
class CorpusPlansTest {
    // Facts are checked with patterns independent of the planner's own extractor.
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Pattern CAPITALISED = Pattern.compile("\\b[A-Z][A-Za-z]{2,}\\b");
    private static final Pattern HAN_RUN = Pattern.compile("\\p{IsHan}{2,}");
    private static final Pattern SOURCE_FACT = Pattern.compile(
            "\\b(?:1[5-9]|20)\\d{2}\\b|\\b\\d+(?:\\.\\d+)?\\s?(?:%|[KMGT]i?B|MHz|GHz|bit|bytes|kbps)\\b"
            + "|\\b\\d+\\.\\d+(?:\\.\\d+)*\\b|\"[^\"]{1,40}\"|“[^”]{1,60}”|《[^》]{1,30}》|\\d+年");

    private final ExtractivePlanner planner = new ExtractivePlanner();

    @ParameterizedTest
    @CsvSource({"debian-desc.jsonl.gz, 139, 400, en, 0.95", "jargon.jsonl, 5, 400, en, 0.90",
            "zh-fortunes.jsonl, 13, 400, zh, 0.90"})
    void plansInventNothingFindFactsAndRepeat(String file, int step, int limit, String language,
                                              double minCoverage) throws Exception {
        List<Corpus.Entry> entries = Corpus.sample(file, step, limit);
        assertFalse(entries.isEmpty());
        int languageRight = 0;
        int sourceFacts = 0;
        int sourceFactsFound = 0;
        List<ContentPlan> plans = new ArrayList<>();
        long start = System.nanoTime();
        for (Corpus.Entry e : entries) {
            plans.add(planner.plan(Material.ofArticle(e.text())));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d plans in %.2f s = %.0f plans/s (%.0f chars/plan)%n", file, entries.size(),
                seconds, entries.size() / seconds,
                entries.stream().mapToInt(e -> e.text().length()).average().orElse(0));
        for (int i = 0; i < entries.size(); i++) {
            Corpus.Entry e = entries.get(i);
            ContentPlan plan = plans.get(i);
            // Jargon cross-reference braces are markup: "{Real Programmer}s" says "Real Programmers".
            // Typographic quotes are straightened in the plan, so compare with straight ones.
            String source = Neutraliser.straightQuotes(SentenceSplitter.normalise(e.text()).replaceAll("[{}]", ""));
            String compact = source.replaceAll("\\s+", "");
            // A box-drawn table is read a cell at a time, so its cells' wrapped lines join into runs the source
            // only holds line by line: there, each Han character must occur in the source, not each run.
            boolean table = source.codePoints().anyMatch(c -> c >= 0x2500 && c <= 0x257F);
            assertFalse(plan.keyFacts().isEmpty(), e.id());
            assertFalse(plan.neutralDraft().isBlank(), e.id());
            for (String fact : plan.keyFacts()) {
                for (Pattern p : List.of(NUMBER, CAPITALISED)) {
                    Matcher m = p.matcher(fact);
                    while (m.find()) {
                        // A moved aside starts its own sentence with a capital: "(since ...)" → "Since ...".
                        boolean sentenceStart = m.start() == 0 || fact.substring(0, m.start()).matches(
                                "(?s).*[.!?]\\s+$");
                        String word = m.group();
                        assertTrue(source.contains(word) || (sentenceStart && source.contains(
                                word.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + word.substring(1))),
                                e.id() + ": '" + word + "' of keyFact '" + fact + "' is not in the source");
                    }
                }
                Matcher han = HAN_RUN.matcher(fact);
                while (han.find()) {
                    String run = han.group();
                    assertTrue(table ? run.codePoints().allMatch(c -> compact.indexOf(c) >= 0)
                            : compact.contains(run), e.id() + ": '" + run + "' invented");
                }
            }
            Set<String> expected = new LinkedHashSet<>();
            Matcher m = SOURCE_FACT.matcher(source.replaceAll("\\s+", " "));
            while (m.find()) {
                expected.add(m.group());
            }
            // Compared without whitespace: wrapped CJK lines are joined with none, Latin ones with one space.
            String planText = (plan.title() + String.join("", plan.keyFacts()) + plan.neutralDraft())
                    .replaceAll("\\s+", "");
            for (String fact : expected) {
                sourceFacts++;
                if (planText.contains(fact.replaceAll("\\s+", ""))) {
                    sourceFactsFound++;
                } else if (Boolean.getBoolean("penwright.test.verbose")) {
                    System.out.println("missed in " + e.id() + " (" + e.text().length() + " chars): " + fact);
                }
            }
            if (plan.language().equals(language)) {
                languageRight++;
            }
            assertEquals(plan, planner.plan(Material.ofArticle(e.text())), e.id() + " is not deterministic");
        }
        double coverage = sourceFacts == 0 ? 1 : (double) sourceFactsFound / sourceFacts;
        System.out.printf("%s: %d/%d source facts kept (%.3f); language %s on %d/%d%n", file, sourceFactsFound,
                sourceFacts, coverage, language, languageRight, entries.size());
        assertTrue(coverage >= minCoverage, file + " kept only " + coverage + " of the source's facts");
        assertTrue(languageRight >= entries.size() * 0.95, file + ": language right on " + languageRight);
    }
}
