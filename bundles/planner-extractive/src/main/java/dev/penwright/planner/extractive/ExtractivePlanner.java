package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.osgi.service.component.annotations.Component;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.plan.VerbatimBlock;

/**
 * The embedded default planner: no network, no model, deterministic. It detects the language, splits the material
 * into sentences, ranks them with TextRank, extracts the facts a plan must keep verbatim, and writes the plan from
 * the salient sentences with their stylistic flourishes removed. It only ever selects and deletes source text, so
 * every name and number in the plan occurs in the material.
 */
@Component(service = Planner.class, property = Planner.ID + "=" + ExtractivePlanner.ID)
public class ExtractivePlanner implements Planner {
    public static final String ID = "extractive";

    static final int MAX_KEY_FACTS = 12;
    private static final int MIN_KEY_FACTS = 3;
    // Dictionary headers: "/pro-NUN-see-AY-shun/ n." or a bare "n." before the definition.
    private static final Pattern DICTIONARY_HEADER = Pattern.compile(
            "^\\s*(?:/[^/\\n]*/)?[\\s,]*(?:(?:n|v|vt|vi|adj|adv|interj|excl|suff|pref|prep|conj|pron|abbrev|pl)"
            + "\\.[\\s,]*(?:and|or)?[\\s,]*)*\\s*(?:\\n\\s*\\n|$)");
    private static final Pattern CLAUSE_BREAK = Pattern.compile(",\\s|;\\s|:\\s|\\s[—–-]{1,2}\\s|[，；：]");
    private static final Pattern ATTRIBUTION = Pattern.compile("\\s*(?:--|——|—)\\s*\\S");
    private static final Pattern SERIES_CONJUNCTION = Pattern.compile("(?i)(and|or|nor|but|plus|as well as|then)\\b");
    private static final Pattern TERMINAL = Pattern.compile(".*[.!?。！？…][\"'”’」』)）\\]]*$");

    private final LanguageDetector languages = new LanguageDetector();
    private final Markup markup = new Markup();
    private final SentenceSplitter splitter = new SentenceSplitter();
    private final Neutraliser neutraliser = new Neutraliser();
    private final TextRank textRank = new TextRank();
    private final FactExtractor facts = new FactExtractor();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ContentPlan plan(Material material) throws PlanningException {
        if (material == null || material.isEmpty()) {
            throw new PlanningException("the material is empty: give a brief, facts or a source article");
        }
        Markup.Plain plain = markup.parse(SentenceSplitter.normalise(joinNonBlank(material.brief(),
                material.sourceArticle())));
        String text = plain.text();
        String language = material.language().isBlank()
                ? languages.detect(text + "\n" + String.join("\n", material.facts()))
                : material.language();
        boolean cjk = language.startsWith("zh") || language.startsWith("ja") || language.startsWith("ko");

        text = DICTIONARY_HEADER.matcher(text).replaceFirst("");
        String headline = headline(text, cjk);
        if (headline != null && !neutraliser.neutralise(headline).codePoints().anyMatch(Character::isLetter)) {
            headline = null;
        }
        if (headline != null) {
            text = text.strip().substring(headline.length());
        }
        SentenceSplitter.Split split = splitter.splitWithCode(text, plain.fenced());
        List<Unit> units = units(split.sentences());
        // The heading is content too: the draft opens with it, as a sentence.
        String heading = headline == null ? null : neutraliser.neutralise(headline.strip());
        List<SentenceSplitter.Code> code = split.code();
        if (units.isEmpty() && material.facts().isEmpty()) {
            code = List.of(); // the whole material is the draft, its code too
            // No words at all (an emoticon, a lone symbol): the material is its own plan.
            String words = Markup.PLACEHOLDER.matcher(text).replaceAll("");
            String whole = words.isBlank() ? material.brief() + material.sourceArticle() : words;
            units = List.of(new Unit(new Sentence(whole.strip(), 0, false), whole.strip(), List.of()));
        }
        double[] salience = textRank.rank(units.stream().map(Unit::neutral).toList());
        List<Integer> byRank = IntStream.range(0, units.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -salience[i]).thenComparingInt(i -> i))
                .toList();

        String title = title(material, headline, units, byRank, cjk);
        List<String> keyFacts = keyFacts(material.facts(), units, byRank, cjk);
        String summary = summary(units, byRank, cjk);
        List<NumberedItem> numbered = new ArrayList<>();
        List<VerbatimBlock> verbatim = new ArrayList<>();
        String draft = draft(heading, units, cjk, numbered, code, verbatim);
        if (draft.isEmpty()) {
            draft = joinSentences(material.facts(), cjk);
        }
        if (summary.isEmpty()) {
            summary = title;
        }
        return new ContentPlan(title, summary, keyFacts, draft, language, ID, null, listsOnly(numbered), verbatim);
    }

    /** A sentence as written and as neutralised, with its facts (found in the neutral form). */
    record Unit(Sentence sentence, String neutral, List<Fact> facts) {
    }

    List<Unit> units(String text) {
        return units(splitter.split(text));
    }

    private List<Unit> units(List<Sentence> sentences) {
        List<Unit> units = new ArrayList<>();
        for (Sentence s : sentences) {
            String neutral = neutraliser.neutralise(s.text());
            if (!neutral.codePoints().anyMatch(Character::isLetterOrDigit)) {
                continue;
            }
            // "-- Author《Work》" under a quotation: the whole attribution is one fact.
            List<Fact> found = ATTRIBUTION.matcher(s.text()).lookingAt()
                    ? List.of(new Fact(Fact.Kind.SOURCE, neutral, 0, neutral.length()))
                    : facts.extract(neutral);
            units.add(new Unit(s, neutral, found));
        }
        return units;
    }

    /** The text's first line when it stands alone as a heading (zh-fortunes entries, Markdown-ish articles). */
    private static String headline(String text, boolean cjk) {
        String stripped = text.strip();
        int blank = stripped.indexOf("\n\n");
        if (blank < 0) {
            return null;
        }
        String first = stripped.substring(0, blank);
        String line = first.replaceFirst("^#+\\s*", "").strip();
        String rest = stripped.substring(blank).strip();
        boolean heading = first.indexOf('\n') < 0 && line.length() <= (cjk ? 40 : 80)
                && (!SentenceSplitter.LIST_MARKER.matcher(first).find() || SentenceSplitter.isNumberedHeading(first, rest))
                && !TERMINAL.matcher(line).matches() && line.codePoints().anyMatch(Character::isLetter);
        return heading ? first : null;
    }

    private String title(Material material, String headline, List<Unit> units, List<Integer> byRank, boolean cjk) {
        String brief = material.brief().strip();
        if (!brief.isEmpty()) {
            List<Sentence> sentences = splitter.split(brief);
            String first = sentences.isEmpty() ? brief : sentences.get(0).text();
            return shorten(neutraliser.neutralise(first), cjk ? 30 : 80, cjk).replaceAll("[.。:：]+$", "");
        }
        if (headline != null) {
            String neutral = neutraliser.neutralise(headline.replaceFirst("^#+\\s*", "").strip());
            return neutral.replaceAll("[.。]+$", "");
        }
        if (!units.isEmpty()) {
            // The unit's first sentence: asides the neutraliser moved out follow it.
            List<Sentence> parts = splitter.split(units.get(byRank.get(0)).neutral());
            String top = parts.isEmpty() ? units.get(byRank.get(0)).neutral() : parts.get(0).text();
            String clause = CLAUSE_BREAK.split(top, 2)[0];
            String title = clause.length() >= (cjk ? 5 : 30) ? clause : top;
            return shorten(title, cjk ? 30 : 80, cjk).replaceAll("[.。!?！？]+$", "");
        }
        return shorten(String.join(cjk ? "；" : "; ", material.facts()), cjk ? 30 : 80, cjk);
    }

    /**
     * The material's own facts first, verbatim; then, in reading order, the statements that carry the most salient
     * facts: a sentence's clauses around its facts when the sentence is long, the whole sentence when short.
     */
    private static List<String> keyFacts(List<String> given, List<Unit> units, List<Integer> byRank, boolean cjk) {
        Set<String> result = new LinkedHashSet<>();
        for (String f : given) {
            if (!f.isBlank()) {
                result.add(f.strip());
            }
        }
        Set<String> covered = new java.util.HashSet<>();
        List<int[]> chosen = new ArrayList<>(); // {unit index, start, end}
        int budget = Math.max(MAX_KEY_FACTS - result.size(), MIN_KEY_FACTS);
        for (int i : byRank) {
            if (chosen.size() >= budget) {
                break;
            }
            Unit u = units.get(i);
            List<Fact> fresh = u.facts().stream().filter(f -> !covered.contains(f.text())).toList();
            if (fresh.isEmpty() && !u.sentence().listItem()) {
                continue;
            }
            fresh.forEach(f -> covered.add(f.text()));
            int[] span = u.sentence().listItem() || fresh.isEmpty()
                    ? new int[] {0, u.neutral().length()}
                    : clauseSpan(u.neutral(), fresh, cjk);
            chosen.add(new int[] {i, span[0], span[1]});
        }
        // Too few facts (a plain styled paragraph): the most salient sentences stand as statements.
        for (int i : byRank) {
            if (chosen.size() >= Math.min(MIN_KEY_FACTS, units.size())) {
                break;
            }
            if (chosen.stream().noneMatch(c -> c[0] == i)) {
                chosen.add(new int[] {i, 0, units.get(i).neutral().length()});
            }
        }
        chosen.sort(Comparator.comparingInt(c -> c[0]));
        for (int[] c : chosen) {
            String statement = units.get(c[0]).neutral().substring(c[1], c[2]).strip()
                    .replaceAll("^[,;:，；：\\s]+|[,;:，；：\\s]+$", "");
            if (!statement.isEmpty()) {
                result.add(statement);
            }
        }
        return List.copyOf(result);
    }

    /** The smallest run of clauses holding every given fact, or the whole sentence if it is short. */
    static int[] clauseSpan(String sentence, List<Fact> facts, boolean cjk) {
        if (sentence.length() <= (cjk ? 60 : 160)) {
            return new int[] {0, sentence.length()};
        }
        int from = facts.stream().mapToInt(Fact::start).min().orElse(0);
        int to = facts.stream().mapToInt(Fact::end).max().orElse(sentence.length());
        int start = 0;
        int end = sentence.length();
        var m = CLAUSE_BREAK.matcher(sentence);
        while (m.find()) {
            if (m.end() <= from) {
                start = m.end();
            } else if (m.start() >= to) {
                end = m.start();
                break;
            }
        }
        return new int[] {start, end};
    }

    private static String summary(List<Unit> units, List<Integer> byRank, boolean cjk) {
        if (units.isEmpty()) {
            return "";
        }
        int limit = cjk ? 120 : 300;
        List<Integer> picked = new ArrayList<>();
        int length = 0;
        for (int i : byRank) {
            int len = units.get(i).neutral().length();
            if (picked.size() == 2 || (!picked.isEmpty() && length + len > limit)) {
                break;
            }
            picked.add(i);
            length += len;
        }
        picked.sort(null);
        String summary = joinSentences(picked.stream().map(i -> units.get(i).neutral()).toList(), cjk);
        return summary.length() <= limit * 3 / 2 ? summary : shorten(summary, limit, cjk);
    }

    /**
     * Every sentence, heading and list item, neutralised, in reading order, as prose: the draft is the whole content
     * without its form (no salience cut: a styler cannot restore what the draft leaves out). The items of a numbered
     * list that stand as sentences of their own go to {@code numbered}: their numbers are not in the prose. The
     * paragraphs that are not prose ({@code code}) go to {@code verbatim}, each after the sentence it followed.
     */
    private static String draft(String heading, List<Unit> units, boolean cjk, List<NumberedItem> numbered,
                                List<SentenceSplitter.Code> code, List<VerbatimBlock> verbatim) {
        List<String> sentences = new ArrayList<>();
        if (heading != null) {
            sentences.add(heading);
        }
        int nextCode = 0;
        // The numbered item being written: its number and its sentences so far (an item may run to several).
        int itemNumber = 0;
        List<String> itemSentences = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Sentence current = units.get(i).sentence();
            if (itemNumber > 0 && (!current.inItem() || current.number() > 0)) {
                numbered.add(new NumberedItem(itemNumber, joinSentences(itemSentences, cjk)));
                itemNumber = 0;
                itemSentences.clear();
            }
            while (nextCode < code.size() && code.get(nextCode).before() <= units.get(i).sentence().position()) {
                verbatim.add(new VerbatimBlock(lastOf(sentences), code.get(nextCode++).text()));
            }
            String text = units.get(i).neutral();
            boolean leadIn = text.endsWith(":") || text.endsWith("：");
            if (leadIn && i + 1 < units.size() && units.get(i + 1).sentence().listItem()) {
                // "Features:" and its items become one sentence, the items joined by ";".
                List<String> items = new ArrayList<>();
                List<Integer> numbers = new ArrayList<>();
                int j = i + 1;
                while (j < units.size() && units.get(j).sentence().listItem()) {
                    String item = units.get(j).neutral().replaceAll("[;；,，]+$", "");
                    items.add(item);
                    numbers.add(units.get(j).sentence().number());
                    j++;
                    if (TERMINAL.matcher(item).matches()) {
                        break; // the item ends its own sentence
                    }
                }
                boolean listEnded = j == units.size() || !units.get(j).sentence().listItem();
                // A numbered list's items are steps, not a series: no conjunction, and each keeps its number aside.
                boolean stepped = numbers.stream().allMatch(n -> n > 0);
                if (stepped) {
                    for (int k = 0; k < items.size(); k++) {
                        numbered.add(new NumberedItem(numbers.get(k), items.get(k).strip()));
                    }
                }
                if (!cjk && listEnded && items.size() > 1 && !stepped) {
                    // A series in prose takes a conjunction before its last item; a styler that writes the list
                    // back as items leaves it out again.
                    items.set(items.size() - 1, seriesEnd(items.get(items.size() - 1)));
                }
                String lead = text.substring(0, text.length() - 1).strip();
                String joiner = cjk ? "；" : "; ";
                sentences.add(lead + (cjk ? "：" : ": ") + String.join(joiner, items));
                i = j - 1;
            } else {
                String written = current.listItem() ? capitalised(text) : text;
                sentences.add(written);
                if (current.number() > 0) {
                    itemNumber = current.number();
                    itemSentences.add(written);
                } else if (itemNumber > 0) {
                    itemSentences.add(written);
                }
            }
        }
        if (itemNumber > 0) {
            numbered.add(new NumberedItem(itemNumber, joinSentences(itemSentences, cjk)));
        }
        while (nextCode < code.size()) {
            verbatim.add(new VerbatimBlock(lastOf(sentences), code.get(nextCode++).text()));
        }
        return joinSentences(sentences, cjk);
    }

    /** The last sentence so far as the draft will write it (but for a full stop it may add), or empty. */
    private static String lastOf(List<String> sentences) {
        for (int i = sentences.size() - 1; i >= 0; i--) {
            String s = sentences.get(i).strip();
            if (!s.isEmpty()) {
                return s.replaceAll("[:：;；,，]+$", "");
            }
        }
        return "";
    }

    /**
     * The items that belong to a list: each next to its predecessor or successor in number ("1." then "2."). A lone
     * "3." is a heading's or a sense's number, not a list the styler could number back.
     */
    static List<NumberedItem> listsOnly(List<NumberedItem> items) {
        List<NumberedItem> kept = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            int n = items.get(i).number();
            boolean after = i > 0 && items.get(i - 1).number() == n - 1;
            boolean before = i + 1 < items.size() && items.get(i + 1).number() == n + 1;
            if (after || before) {
                kept.add(items.get(i));
            }
        }
        return List.copyOf(kept);
    }

    /** A series' last item with "and" before it, unless it starts with a conjunction of its own. */
    private static String seriesEnd(String item) {
        return SERIES_CONJUNCTION.matcher(item).lookingAt() ? item : "and " + item;
    }

    private static String capitalised(String s) {
        return s.isEmpty() || !Character.isLowerCase(s.charAt(0)) ? s
                : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Sentences as prose: each closed by a full stop if it had no end mark (list items, headings). */
    static String joinSentences(List<String> sentences, boolean cjk) {
        StringBuilder sb = new StringBuilder();
        for (String s : sentences) {
            String t = s.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (!TERMINAL.matcher(t).matches()) {
                // A lead-in whose list did not follow ("These include the following:") ends as a sentence.
                t = t.replaceAll("[:：;；,，]+$", "") + (cjk ? "。" : ".");
            }
            // CJK prose runs its sentences together, but not two Latin words: "…语法". Osamu Aoki", not "…".Osamu".
            if (!sb.isEmpty() && (!cjk || !SentenceSplitter.isCjk(sb.codePointBefore(sb.length()))
                    && !SentenceSplitter.isCjk(t.codePointAt(0)))) {
                sb.append(' ');
            }
            sb.append(t);
        }
        return sb.toString();
    }

    /** Cuts at a word (or, in CJK, character) boundary, marking the cut with an ellipsis. */
    static String shorten(String s, int max, boolean cjk) {
        if (s.length() <= max) {
            return s;
        }
        int cut = max;
        if (!cjk) {
            int space = s.lastIndexOf(' ', max);
            if (space > max / 2) {
                cut = space;
            }
        }
        if (Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut).strip() + "…";
    }

    private static String joinNonBlank(String a, String b) {
        if (a.isBlank()) {
            return b;
        }
        return b.isBlank() ? a : a + "\n\n" + b;
    }
}
