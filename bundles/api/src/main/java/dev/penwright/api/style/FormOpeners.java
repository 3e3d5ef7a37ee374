package dev.penwright.api.style;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which form word a style writes on a text's first line, by the word that follows it: a dictionary's entry that
 * starts "To clear …" is a verb ("vt."), one that starts "A language …" a noun ("n."). A neutral draft leaves the mark
 * out and keeps the word after it, so copy-aware decoding, about to write a form word on the first line, reads the
 * draft's next word here and weighs the model's choice among form words by these counts. The model alone often
 * picks the wrong mark; a count over the style's own training texts is what a small pack can be sure of.
 *
 * <p>The trainer counts them ({@link #of(Collection, Collection, Collection)}) and writes them into a pack
 * ({@code style/form-openers.tsv}: word after, form word, count — a line each).
 *
 * @param counts for each following word (lower case), how often each form word came before it
 */
public record FormOpeners(Map<String, Map<String, Integer>> counts) {
    /** At most this many following words are kept, the most frequent. */
    public static final int MAX_KEYS = 5000;
    /** How much the style's overall counts weigh against a word's own (a pseudo-count). */
    static final double PRIOR_WEIGHT = 1.0;
    public static final FormOpeners NONE = new FormOpeners(Map.of());

    public FormOpeners {
        Map<String, Map<String, Integer>> copy = new TreeMap<>();
        if (counts != null) {
            counts.forEach((key, byWord) -> copy.put(key, Map.copyOf(byWord)));
        }
        counts = Map.copyOf(copy);
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /**
     * How likely each form word is before {@code next} (a unit, any case): its counts before that word, smoothed by
     * the style's counts over all words (an unseen word gets those alone). Empty when there are no counts.
     */
    public Map<String, Double> odds(String next) {
        Map<String, Integer> prior = new HashMap<>();
        counts.values().forEach(m -> m.forEach((w, c) -> prior.merge(w, c, Integer::sum)));
        double priorTotal = prior.values().stream().mapToInt(Integer::intValue).sum();
        if (priorTotal == 0) {
            return Map.of();
        }
        Map<String, Integer> own = next == null ? Map.of() : counts.getOrDefault(next.toLowerCase(Locale.ROOT), Map.of());
        double ownTotal = own.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Double> out = new HashMap<>();
        prior.forEach((w, c) -> out.put(w, (own.getOrDefault(w, 0) + PRIOR_WEIGHT * c / priorTotal)
                / (ownTotal + PRIOR_WEIGHT)));
        return out;
    }

    /**
     * Counts over a style's texts and their neutral drafts (same order): for each text whose first line holds one of
     * {@code formWords} that its draft dropped, the first such word, by the next unit of the text that is not a form
     * word itself.
     */
    public static FormOpeners of(Collection<String> texts, Collection<String> drafts, Collection<String> formWords) {
        if (texts.size() != drafts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + drafts.size() + " drafts");
        }
        Set<String> form = new HashSet<>(formWords);
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        if (form.isEmpty()) {
            return NONE;
        }
        Iterator<String> draft = drafts.iterator();
        for (String text : texts) {
            List<String> draftUnits = StyleVocabulary.units(draft.next());
            int lineEnd = text.indexOf('\n');
            List<String> firstLine = StyleVocabulary.units(lineEnd < 0 ? text : text.substring(0, lineEnd));
            List<String> units = StyleVocabulary.units(text);
            for (int i = 0; i < firstLine.size(); i++) {
                String w = firstLine.get(i);
                if (!form.contains(w)) {
                    continue;
                }
                if (draftUnits.subList(0, Math.min(draftUnits.size(), firstLine.size() + 1)).contains(w)) {
                    break; // the draft kept it where it stood: nothing to write back
                }
                int j = i + 1;
                while (j < units.size() && form.contains(units.get(j))) {
                    j++;
                }
                if (j < units.size()) {
                    counts.computeIfAbsent(units.get(j).toLowerCase(Locale.ROOT), k -> new HashMap<>())
                            .merge(w, 1, Integer::sum);
                }
                break;
            }
        }
        return new FormOpeners(limit(counts));
    }

    private static Map<String, Map<String, Integer>> limit(Map<String, Map<String, Integer>> counts) {
        if (counts.size() <= MAX_KEYS) {
            return counts;
        }
        Map<String, Map<String, Integer>> kept = new HashMap<>();
        counts.entrySet().stream()
                .sorted((a, b) -> Integer.compare(total(b.getValue()), total(a.getValue())))
                .limit(MAX_KEYS)
                .forEach(e -> kept.put(e.getKey(), e.getValue()));
        return kept;
    }

    private static int total(Map<String, Integer> m) {
        return m.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The counts as lines of {@code style/form-openers.tsv}: word after, form word, count. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        counts.forEach((key, byWord) -> new TreeMap<>(byWord).forEach((w, c) -> out.add(key + "\t" + w + "\t" + c)));
        return out;
    }

    /** Reads {@link #lines()}; a line that is not "unit TAB unit TAB positive count" is refused with its number. */
    public static FormOpeners parse(List<String> lines) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            int count;
            try {
                count = f.length == 3 ? Integer.parseInt(f[2].strip()) : -1;
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count <= 0 || !isUnit(f[0]) || !isUnit(f[1])) {
                throw new IllegalArgumentException("line " + n + " is not 'word TAB form word TAB count': "
                        + (line.length() > 60 ? line.substring(0, 60) + "…" : line));
            }
            counts.computeIfAbsent(f[0].toLowerCase(Locale.ROOT), k -> new HashMap<>()).merge(f[1], count,
                    Integer::sum);
        }
        if (counts.size() > MAX_KEYS) {
            throw new IllegalArgumentException(counts.size() + " words, at most " + MAX_KEYS);
        }
        return new FormOpeners(counts);
    }

    private static boolean isUnit(String s) {
        List<String> u = StyleVocabulary.units(s);
        return u.size() == 1 && u.get(0).equals(s);
    }
}
