package dev.penwright.engine.internal;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.FormOpeners;
import dev.penwright.api.style.StyleVocabulary;

/**
 * What a row's copy-aware decoding state ({@link CopyAwareState}) needs and never changes: the plan, the copy source
 * the cursor walks, the words the guard allows, the style's form words, the plan's content words.
 */
public final class CopyPlan {
    final int[] planIds;
    final double copyBias;
    final boolean factGuard;
    final double minCoverage;
    final List<String> stops;
    final int longestStop;
    final Set<Integer> eos;
    final TokenTexts texts;
    /** What the copy cursor walks: the plan's draft, or the whole plan. */
    final CopySource source;
    /** Guarded words (capitalised, holding a digit) the guard lets through, sorted for prefix lookups. */
    final NavigableSet<String> allowedWords = new TreeSet<>();
    final Set<Integer> allowedHan = new HashSet<>();
    final NavigableSet<Integer> allowedHanSorted = new TreeSet<>();
    final Set<String> contentWords = new HashSet<>();
    /** Tokens that write one of the style's form words: the copy bias leaves their odds to the model. */
    final Set<Integer> formTokens;
    /** Form tokens that write a number (a sense's "2"), by token: numbered senses count up. */
    final Map<Integer, Integer> formNumbers = new HashMap<>();
    /** Where the source holds a form word of its own (a draft that kept "vt."): none is inserted before it. */
    final int[] formWordStarts;
    /** Which form word the style writes on a first line, by the word after it. */
    final FormOpeners formOpeners;
    /** Whether the style signs its texts off (a line of their own for the draft's last sentence, if the model likes). */
    final boolean signsOff;
    /** The tokens a signature's dash may be: the style's own dash, or any attribution dash when it has none. */
    final Set<Integer> signOffDashTokens;
    /** Whether the style has a dash of its own (else any attribution dash signs). */
    final boolean signOffDashFixed;
    /** The unit each form token writes. */
    private final Map<Integer, String> formUnits = new HashMap<>();
    /** By the source's next word: each form token's weight there (its form word's odds before that word). */
    private final Map<String, Map<Integer, Double>> openerWeights = new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether an incomplete UTF-8 sequence can still become a character the guard allows, by its bytes. */
    final Map<Long, Boolean> completable = new HashMap<>();

    /**
     * @param planIds    the plan's token ids (the plan part of the prompt)
     * @param copyIds    the token ids the copy cursor walks (the plan's draft), or null for {@code planIds}
     * @param vocabulary the style's vocabulary (lower-case words the guard allows beside the plan's)
     * @param formWords  the style's form words (what its texts hold and its drafts leave out), or none
     * @param options    the row's options (copyBias, factGuard, minCoverage, stop)
     * @param eos        end-of-text ids
     * @param texts      the model's token bytes
     */
    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, GenerationOptions options,
                Collection<Integer> eos, TokenTexts texts) {
        this(planIds, copyIds, vocabulary, List.of(), options, eos, texts);
    }

    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, Collection<String> formWords,
                GenerationOptions options, Collection<Integer> eos, TokenTexts texts) {
        this(planIds, copyIds, vocabulary, formWords, FormOpeners.NONE, options, eos, texts);
    }

    /**
     * @param formOpeners which form word the style writes on a first line, by the word after it
     */
    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, Collection<String> formWords,
                FormOpeners formOpeners, GenerationOptions options, Collection<Integer> eos, TokenTexts texts) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, false, options, eos, texts);
    }

    /**
     * @param formOpeners which form word the style writes on a first line, by the word after it
     * @param signsOff    whether the style signs its texts off
     */
    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, Collection<String> formWords,
                FormOpeners formOpeners, boolean signsOff, GenerationOptions options, Collection<Integer> eos,
                TokenTexts texts) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, "", options, eos, texts);
    }

    /**
     * @param formOpeners which form word the style writes on a first line, by the word after it
     * @param signsOff    whether the style signs its texts off
     * @param signOffDash the dash the style signs with ("--"), or empty for any attribution dash
     */
    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, Collection<String> formWords,
                FormOpeners formOpeners, boolean signsOff, String signOffDash, GenerationOptions options,
                Collection<Integer> eos, TokenTexts texts) {
        this(planIds, copyIds, vocabulary, formWords, formOpeners, signsOff, signOffDash, new int[0], options, eos,
                texts);
    }

    /**
     * @param verbatim the copy source's byte ranges, {@code [start, end)} pairs, that are written as they stand (a
     *                 plan's verbatim blocks)
     */
    public CopyPlan(long[] planIds, long[] copyIds, Collection<String> vocabulary, Collection<String> formWords,
                FormOpeners formOpeners, boolean signsOff, String signOffDash, int[] verbatim,
                GenerationOptions options, Collection<Integer> eos, TokenTexts texts) {
        this.formOpeners = formOpeners == null ? FormOpeners.NONE : formOpeners;
        this.signsOff = signsOff;
        String dash = signOffDash == null ? "" : signOffDash.strip();
        this.signOffDashFixed = !dash.isEmpty();
        this.signOffDashTokens = dash.isEmpty() ? texts.attributionDashTokens()
                : texts.attributionDashTokens().stream()
                        .filter(t -> new String(texts.bytes(t), StandardCharsets.UTF_8).strip().equals(dash))
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.planIds = ints(planIds);
        this.source = new CopySource(copyIds == null || copyIds.length == 0 ? this.planIds : ints(copyIds),
                texts, signsOff, copyIds == null || copyIds.length == 0 || verbatim == null ? new int[0] : verbatim);
        this.copyBias = options.copyBias() == null ? 0 : options.copyBias();
        this.factGuard = Boolean.TRUE.equals(options.factGuard());
        this.minCoverage = options.minCoverage() == null ? 0 : options.minCoverage();
        this.stops = options.stop() == null ? List.of() : options.stop().stream().filter(s -> !s.isEmpty()).toList();
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
        this.eos = Set.copyOf(eos);
        this.texts = texts;
        String planText = decode(this.planIds, texts);
        List<String> planUnits = StyleVocabulary.units(planText);
        for (String u : planUnits) {
            allow(u, true);
            String lower = u.toLowerCase(Locale.ROOT);
            if (!FunctionWords.contains(lower)) {
                contentWords.add(lower);
            }
        }
        if (copyIds != null && copyIds.length > 0) {
            // The copy source is the plan written for the style (its title on a line, a list's numbers back): what
            // it adds to the prompt's plan is the plan's too.
            for (String u : StyleVocabulary.units(decode(source.ids, texts))) {
                allow(u, true);
            }
        }
        for (String w : vocabulary == null ? List.<String>of() : vocabulary) {
            // A name or a number is a fact: the style's frequent ones (Unix, Usenet in the Jargon File) are
            // still facts the plan must hold, so only the style's common words are let through.
            if (!w.isEmpty() && !StyleVocabulary.isGuarded(w)) {
                allow(w, true);
            } else if (!w.isEmpty() && StyleVocabulary.isHan(w.codePointAt(0))) {
                allow(w, false);
            }
        }
        Set<String> form = formWords == null ? Set.of() : Set.copyOf(formWords);
        for (String w : form) {
            // Writing back a numbered sense or a part-of-speech mark is form: the guard lets it through.
            allow(w, true);
        }
        this.formTokens = form.isEmpty() ? Set.of() : texts.tokensWriting(form);
        for (int token : formTokens) {
            String unit = StyleVocabulary.units(new String(texts.bytes(token), StandardCharsets.UTF_8)).get(0);
            formUnits.put(token, unit);
            if (unit.length() <= 3 && unit.chars().allMatch(c -> c >= '0' && c <= '9')) {
                formNumbers.put(token, Integer.parseInt(unit));
            }
        }
        Set<String> lowerForm = new HashSet<>();
        form.forEach(w -> lowerForm.add(w.toLowerCase(Locale.ROOT)));
        this.formWordStarts = source.wordStarts(lowerForm);
        allowedHanSorted.addAll(allowedHan);
    }

    /**
     * Each form token's weight before {@code next} (the source's next word): the odds that the style writes that
     * token's form word there; empty when the style has no such counts.
     */
    Map<Integer, Double> openerWeights(String next) {
        if (formOpeners.isEmpty() || formUnits.isEmpty()) {
            return Map.of();
        }
        return openerWeights.computeIfAbsent(next == null ? "" : next.toLowerCase(Locale.ROOT), key -> {
            Map<String, Double> odds = formOpeners.odds(key);
            Map<Integer, Double> weights = new HashMap<>();
            // A floor, not a ban: a mark the counts never saw on a first line stays possible, only unlikely.
            formUnits.forEach((token, unit) -> weights.put(token, Math.max(1e-3, odds.getOrDefault(unit, 0.0))));
            return Map.copyOf(weights);
        });
    }

    /**
     * On the first line, where the style may write a form word the draft left out, the model's odds among form words
     * are weighed by how often the style writes each before the draft's next word ("To …" takes "vt.", "A …" takes
     * "n."): a small model alone writes its most frequent mark almost everywhere. Their total stays the model's, so
     * whether a mark is written at all is still the model's choice. {@code inTurn} says which form tokens may come
     * now (a sense number only in turn).
     */
    void weighOpeners(double[] scores, String next, java.util.function.IntPredicate inTurn) {
        Map<Integer, Double> weights = openerWeights(next);
        if (weights.isEmpty()) {
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : scores) {
            max = Math.max(max, v);
        }
        double mass = 0;
        double weighed = 0;
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            int t = e.getKey();
            if (t < scores.length && inTurn.test(t)) {
                double p = Math.exp(scores[t] - max);
                mass += p;
                weighed += p * e.getValue();
            }
        }
        if (mass <= 0 || weighed <= 0) {
            return;
        }
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            int t = e.getKey();
            if (t < scores.length && inTurn.test(t)) {
                double p = Math.exp(scores[t] - max) * e.getValue() * mass / weighed;
                scores[t] = p > 0 ? max + Math.log(p) : Double.NEGATIVE_INFINITY;
            }
        }
    }

    /** Lets a unit through, and for a lower-case one its capitalised form too (sentence-initial "The"). */
    private void allow(String unit, boolean capitalised) {
        if (unit.isEmpty()) {
            return;
        }
        int first = unit.codePointAt(0);
        if (StyleVocabulary.isHan(first)) {
            allowedHan.add(first);
            return;
        }
        if (StyleVocabulary.isGuarded(unit)) {
            allowedWords.add(unit);
        }
        if (capitalised && Character.isLowerCase(first)) {
            String cap = new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                    .append(unit.substring(Character.charCount(first))).toString();
            allowedWords.add(cap);
        }
    }

    boolean isAllowedWord(String word) {
        return allowedWords.contains(word);
    }

    boolean isAllowedPrefix(String prefix) {
        String next = allowedWords.ceiling(prefix);
        return next != null && next.startsWith(prefix);
    }

    /** The plan's content words, lower-cased (what coverage counts). */
    public Set<String> contentWords() {
        return Set.copyOf(contentWords);
    }

    public int planLength() {
        return planIds.length;
    }

    /**
     * Whether the incomplete UTF-8 sequence {@code bytes[0..n)} can still become a character the guard lets
     * through: UTF-8 keeps code point order, so its completions are one range [lo, hi]; it can if the range holds
     * a code point that is not Han, or an allowed Han character.
     */
    boolean completable(byte[] bytes, int n) {
        long key = n;
        for (int i = 0; i < n; i++) {
            key = key * 256 + (bytes[i] & 0xff);
        }
        return completable.computeIfAbsent(key, k -> {
            int lead = bytes[0] & 0xff;
            int len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            int lo = lead & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
            int hi = lo;
            for (int i = 1; i < len; i++) {
                int b = i < n ? bytes[i] & 0x3F : -1;
                lo = (lo << 6) | (b < 0 ? 0 : b);
                hi = (hi << 6) | (b < 0 ? 0x3F : b);
            }
            hi = Math.min(hi, Character.MAX_CODE_POINT);
            Integer han = allowedHanSorted.ceiling(lo);
            if (han != null && han <= hi) {
                return true;
            }
            for (int cp = lo; cp <= hi; cp++) {
                if (!StyleVocabulary.isHan(cp)) {
                    return true;
                }
            }
            return false;
        });
    }

    static int[] ints(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    static String decode(int[] ids, TokenTexts texts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            byte[] b = texts.bytes(id);
            out.write(b, 0, b.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
