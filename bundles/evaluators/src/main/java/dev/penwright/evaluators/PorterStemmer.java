package dev.penwright.evaluators;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer as NLTK's {@code PorterStemmer} computes it in its default {@code NLTK_EXTENSIONS} mode, which
 * rouge-score uses for {@code use_stemmer=True}: Porter's five steps plus NLTK's changes (a few irregular forms,
 * {@code ies}/{@code ied} on four-letter words, y to i only after a consonant, {@code bli} for {@code abli},
 * {@code fulli} and {@code logi}, a two-letter vowel-consonant stem counting as cvc). Input is lower-case
 * {@code [a-z0-9]} tokens, as rouge-score's tokenizer produces. Stateless.
 */
public final class PorterStemmer {
    private static final Map<String, String> IRREGULAR = Map.ofEntries(Map.entry("sky", "sky"),
            Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"), Map.entry("tying", "tie"),
            Map.entry("news", "news"), Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"), Map.entry("cannings", "canning"),
            Map.entry("canning", "canning"), Map.entry("howe", "howe"), Map.entry("proceed", "proceed"),
            Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    /** A suffix rule: replace {@code suffix} by {@code replacement} when the remaining stem passes the condition. */
    private record Rule(String suffix, String replacement, Predicate<String> condition) {
    }

    public String stem(String word) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        String irregular = IRREGULAR.get(w);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return w;
        }
        w = step1a(w);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = step3(w);
        w = step4(w);
        w = step5a(w);
        return step5b(w);
    }

    private static boolean isVowelLetter(char c) {
        return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }

    /** Porter's consonant: not a vowel letter, and a y only when it follows a vowel (or starts the word). */
    static boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (isVowelLetter(c)) {
            return false;
        }
        if (c != 'y') {
            return true;
        }
        // A run of y's alternates; walk back to the letter before the run (iteratively: tokens can be long).
        boolean negate = false;
        int j = i;
        while (j > 0 && w.charAt(j) == 'y') {
            negate = !negate;
            j--;
        }
        boolean base = !isVowelLetter(w.charAt(j));
        return base != negate;
    }

    /** m in [C](VC){m}[V]: the number of vowel-to-consonant transitions. */
    static int measure(String stem) {
        boolean[] consonant = consonantFlags(stem);
        int m = 0;
        boolean previousVowel = false;
        for (int i = 0; i < stem.length(); i++) {
            boolean isC = consonant[i];
            if (isC && previousVowel) {
                m++;
            }
            previousVowel = !isC;
        }
        return m;
    }

    /** Every position's {@link #isConsonant} in one pass: a y is a consonant iff the letter before it is not. */
    private static boolean[] consonantFlags(String w) {
        boolean[] flags = new boolean[w.length()];
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            flags[i] = !isVowelLetter(c) && (c != 'y' || i == 0 || !flags[i - 1]);
        }
        return flags;
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static boolean containsVowel(String stem) {
        for (boolean consonant : consonantFlags(stem)) {
            if (!consonant) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** *o: consonant-vowel-consonant at the end, the last not w, x or y; or (NLTK) a two-letter vowel-consonant word. */
    static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') {
                return true;
            }
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }

    /** The first rule whose suffix matches decides: applied if its condition holds, else the word stays. */
    private static String applyFirst(String w, Rule... rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix())) {
                String stem = w.substring(0, w.length() - r.suffix().length());
                return r.condition() == null || r.condition().test(stem) ? stem + r.replacement() : w;
            }
        }
        return w;
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return w.substring(0, 1) + "ie";
        }
        return applyFirst(w, new Rule("sses", "ss", null), new Rule("ies", "i", null), new Rule("ss", "ss", null),
                new Rule("s", "", null));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return w.substring(0, w.length() - 3) + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String stem = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (w.endsWith(suffix) && containsVowel(w.substring(0, w.length() - suffix.length()))) {
                stem = w.substring(0, w.length() - suffix.length());
                break;
            }
        }
        if (stem == null) {
            return w;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : stem.substring(0, stem.length() - 1);
        }
        return measure(stem) == 1 && endsCvc(stem) ? stem + "e" : stem;
    }

    private static String step1c(String w) {
        if (w.endsWith("y")) {
            String stem = w.substring(0, w.length() - 1);
            return stem.length() > 1 && isConsonant(stem, stem.length() - 1) ? stem + "i" : w;
        }
        return w;
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && positiveMeasure(w.substring(0, w.length() - 4))) {
            return step2(w.substring(0, w.length() - 4) + "al");
        }
        Predicate<String> m = PorterStemmer::positiveMeasure;
        String word = w;
        return applyFirst(w, new Rule("ational", "ate", m), new Rule("tional", "tion", m), new Rule("enci", "ence", m),
                new Rule("anci", "ance", m), new Rule("izer", "ize", m), new Rule("bli", "ble", m),
                new Rule("alli", "al", m), new Rule("entli", "ent", m), new Rule("eli", "e", m),
                new Rule("ousli", "ous", m), new Rule("ization", "ize", m), new Rule("ation", "ate", m),
                new Rule("ator", "ate", m), new Rule("alism", "al", m), new Rule("iveness", "ive", m),
                new Rule("fulness", "ful", m), new Rule("ousness", "ous", m), new Rule("aliti", "al", m),
                new Rule("iviti", "ive", m), new Rule("biliti", "ble", m), new Rule("fulli", "ful", m),
                // NLTK measures "logi" words without the "ogi" but with the "l".
                new Rule("logi", "log", stem -> positiveMeasure(word.substring(0, word.length() - 3))));
    }

    private static String step3(String w) {
        Predicate<String> m = PorterStemmer::positiveMeasure;
        return applyFirst(w, new Rule("icate", "ic", m), new Rule("ative", "", m), new Rule("alize", "al", m),
                new Rule("iciti", "ic", m), new Rule("ical", "ic", m), new Rule("ful", "", m), new Rule("ness", "", m));
    }

    private static String step4(String w) {
        Predicate<String> m = stem -> measure(stem) > 1;
        return applyFirst(w, new Rule("al", "", m), new Rule("ance", "", m), new Rule("ence", "", m),
                new Rule("er", "", m), new Rule("ic", "", m), new Rule("able", "", m), new Rule("ible", "", m),
                new Rule("ant", "", m), new Rule("ement", "", m), new Rule("ment", "", m), new Rule("ent", "", m),
                new Rule("ion", "", stem -> measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))),
                new Rule("ou", "", m), new Rule("ism", "", m), new Rule("ate", "", m), new Rule("iti", "", m),
                new Rule("ous", "", m), new Rule("ive", "", m), new Rule("ize", "", m));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        if (w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}
