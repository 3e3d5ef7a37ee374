package dev.penwright.planner.extractive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;

/**
 * The neutral draft removes a text's form and keeps its content: on TRAIN-split entries of each shipped corpus
 * (never the test split) and on texts in styles the corpora do not have (a Markdown blog post, a poem, product
 * copy). Content words are counted here with a definition of the test's own (letter/digit words not in a small
 * function-word list, each Han character), so the planner is not checked against itself.
 */
class NeutralDraftTest {
    private static final Pattern TOKEN = Pattern.compile(
            "\\p{IsHan}|[\\p{L}\\p{N}&&[^\\p{IsHan}]]+");
    private static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "and", "or", "but", "of", "to", "in",
            "on", "at", "by", "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "it", "its",
            "this", "that", "these", "those", "not", "no", "so", "if", "than", "then", "there", "which", "who");
    private static final Pattern LEFT_FORM = Pattern.compile(
            "[{}“”‘’•\\n]|(?:^|[.。!?！？]\\s*)(?:--|—|―)|(?:^|[.;:]\\s)[*•-]\\s|</?[a-z]+>|\\]\\(|`");

    private final ExtractivePlanner planner = new ExtractivePlanner();

    @ParameterizedTest
    @CsvSource({"debian-desc.jsonl.gz, 97", "jargon.jsonl, 7", "zh-fortunes.jsonl, 17"})
    void corpusDraftsKeepContentAndLoseForm(String file, int step) throws Exception {
        List<Corpus.Entry> train = Corpus.sample(file, step, 2000).stream().filter(e -> isTrain(e.id()))
                .limit(200).toList();
        assertTrue(train.size() >= 100, "too few TRAIN entries: " + train.size());
        double recallSum = 0;
        List<String> worst = new ArrayList<>();
        for (Corpus.Entry e : train) {
            ContentPlan plan = planner.plan(Material.ofArticle(e.text()));
            String draft = plan.neutralDraft();
            assertFalse(LEFT_FORM.matcher(draft).find(), () -> e.id() + ": form left in the draft: '" + leftForm(draft)
                    + "' in\n" + draft);
            // Braces are markup: "{bug}s" is the word "bugs" in the source.
            Set<String> sourceWords = new HashSet<>(tokens(e.text().replaceAll("[{}]", "")));
            for (String w : tokens(draft)) {
                assertTrue(sourceWords.contains(w), () -> e.id() + ": '" + w + "' is not in the source:\n" + draft);
            }
            double recall = recall(e.text(), draft);
            recallSum += recall;
            if (recall < 0.8) {
                worst.add(e.id() + String.format(" %.2f", recall));
            }
        }
        double mean = recallSum / train.size();
        System.out.printf("%s: %d TRAIN entries, mean content recall of the draft %.3f; below 0.8: %s%n", file,
                train.size(), mean, worst);
        assertTrue(mean >= 0.90, file + ": the draft keeps only " + mean + " of the content words");
    }

    @Test
    void markdownBlogPost() throws Exception {
        String post = """
                # Why we moved our builds to *Arm* runners

                Last spring our CI bill doubled. **Nobody** was happy!

                ## What we changed

                We read the [pricing page](https://example.com/pricing) twice, then:

                - moved 40 jobs to `arm64` runners
                - cached the Gradle daemon
                - dropped the nightly <em>full</em> rebuild

                The result? Builds take 7 minutes instead of 12.
                """;
        String draft = planner.plan(Material.ofArticle(post)).neutralDraft();
        assertEquals("Why we moved our builds to Arm runners. Last spring our CI bill doubled. Nobody was happy. "
                + "What we changed. We read the pricing page twice, then: moved 40 jobs to arm64 runners; cached the "
                + "Gradle daemon; and dropped the nightly full rebuild. The result? Builds take 7 minutes instead of 12.",
                draft);
    }

    @Test
    void poemWithVerseLinesAndAttribution() throws Exception {
        String poem = """
                The harbour lamps are low tonight,
                the gulls have gone to ground;
                a “quiet” tide comes in (as tides will do when no one looks)
                and leaves without a sound!

                — Mara Quell, Tide Tables
                """;
        ContentPlan plan = planner.plan(Material.ofArticle(poem));
        assertEquals("The harbour lamps are low tonight, the gulls have gone to ground; a \"quiet\" tide comes in and "
                + "leaves without a sound. As tides will do when no one looks. Mara Quell, Tide Tables.",
                plan.neutralDraft());
    }

    @Test
    void productCopyWithBulletFeatures() throws Exception {
        String copy = """
                Meet the Kettle Pro 2 — the fastest kettle we have ever made!

                Features:
                • boils 1.7 litres in 3 minutes
                • keeps water warm for 30 minutes (great for tea lovers)
                • auto shut-off

                Order today at <https://shop.example.com/kettle>!
                """;
        String draft = planner.plan(Material.ofArticle(copy)).neutralDraft();
        assertEquals("Meet the Kettle Pro 2 — the fastest kettle we have ever made. Features: boils 1.7 litres in 3 "
                + "minutes; keeps water warm for 30 minutes. Great for tea lovers. Auto shut-off. Order today at "
                + "https://shop.example.com/kettle.", draft);
    }

    @Test
    void dictionaryEntryWithSensesTagsAndPronunciation() throws Exception {
        String entry = """
                /flob'l/ n.

                [from Old Norse ‘flobba’, to wobble] 1. v. To wobble (pronounced /flob/) in a
                {hash table}. 2) n. The result of a {flobble}s. (a) See also {wibble}.
                """;
        String draft = planner.plan(Material.ofArticle(entry)).neutralDraft();
        assertFalse(LEFT_FORM.matcher(draft).find(), draft);
        assertFalse(draft.contains("flob'l") || draft.contains("pronounced") || draft.contains(" n. "), draft);
        assertTrue(draft.contains("From Old Norse 'flobba', to wobble."), draft);
        assertTrue(draft.contains("To wobble in a hash table."), draft);
    }

    @Test
    void aHeadwordLinesPartOfSpeechIsFormItsHeadwordContent() throws Exception {
        String entry = """
                ABATIS, n.  Rubbish in front of a fort, to prevent the rubbish outside
                from molesting the rubbish inside.
                """;
        String draft = planner.plan(Material.ofArticle(entry)).neutralDraft();
        assertTrue(draft.startsWith("ABATIS. Rubbish in front of a fort"), draft);
        assertTrue(planner.plan(Material.ofArticle("/jig/, /gig/, n.\n\nSee {quantifiers}.\n")).neutralDraft()
                .startsWith("/jig/, /gig/. See quantifiers."));
        assertTrue(planner.plan(Material.ofArticle("Apples, pears, etc. are fruit.\n")).neutralDraft()
                .startsWith("Apples, pears, etc. are fruit."), "not a headword line");
    }

    @Test
    void chineseVerseLinesJoinWithoutSpaces() throws Exception {
        String verse = """
                白日依山尽，
                黄河入海流。
                欲穷千里目，
                更上一层楼！
                    —— 王之涣《登鹳雀楼》
                """;
        assertEquals("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。王之涣《登鹳雀楼》。",
                planner.plan(Material.ofArticle(verse)).neutralDraft());
    }

    @Test
    void chineseProseKeepsASpaceBetweenTwoLatinWordsOfAdjacentSentences() throws Exception {
        String section = """
                参见 find(1) 的手册.

                    -- Osamu Aoki (青木修)
                """;
        assertEquals("参见 find(1) 的手册. Osamu Aoki (青木修)。",
                planner.plan(Material.ofArticle(section)).neutralDraft());
    }

    /** The deterministic split's formula (see the trainer's Split): SHA-256 of the id, buckets 0–79 are TRAIN. */
    static boolean isTrain(String id) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return Long.remainderUnsigned(v, 100) < 80;
    }

    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.replace('’', '\''));
        while (m.find()) {
            String w = m.group().toLowerCase(Locale.ROOT);
            if (!FUNCTION_WORDS.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    /** Share of the source's content-word occurrences that the draft keeps (each counted at most as often). */
    static double recall(String source, String draft) {
        List<String> want = tokens(source);
        if (want.isEmpty()) {
            return 1;
        }
        Map<String, Integer> have = new HashMap<>();
        tokens(draft).forEach(w -> have.merge(w, 1, Integer::sum));
        int kept = 0;
        for (String w : want) {
            Integer n = have.get(w);
            if (n != null && n > 0) {
                kept++;
                have.put(w, n - 1);
            }
        }
        return (double) kept / want.size();
    }

    private static String leftForm(String draft) {
        Matcher m = LEFT_FORM.matcher(draft);
        return m.find() ? draft.substring(Math.max(0, m.start() - 20), Math.min(draft.length(), m.end() + 20)) : "";
    }
}
