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
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;

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
    static final Pattern TERMINAL = Pattern.compile(".*[.!?。！？…][\"'”’」』)）\\]]*$");

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
        DraftWriter.Draft written = DraftWriter.write(heading, units, code, cjk);
        String draft = written.text();
        if (draft.isEmpty()) {
            draft = joinSentences(material.facts(), cjk);
        }
        if (summary.isEmpty()) {
            summary = title;
        }
        return new ContentPlan(title, summary, keyFacts, draft, language, ID, null, written.numberedItems(),
                written.verbatimBlocks());
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
