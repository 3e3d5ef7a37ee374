package dev.penwright.planner.extractive;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guesses a text's language from its script, and for Latin script from English function words. Cheap and
 * deterministic; good enough to choose a sentence splitter and a tokeniser, which is all the planner needs.
 */
final class LanguageDetector {
    /** Tag for text whose language could not be told. */
    static final String UNDETERMINED = "und";

    private static final Set<String> ENGLISH_FUNCTION_WORDS = Set.of("the", "a", "an", "of", "and", "or", "to",
            "in", "is", "it", "for", "on", "with", "that", "this", "as", "by", "be", "are", "was", "from", "at",
            "can", "you", "not", "which", "its", "has", "have", "will", "used", "use");
    private static final Pattern LATIN_WORD = Pattern.compile("[A-Za-z]+");

    String detect(String text) {
        StringBuilder prose = new StringBuilder();
        for (String paragraph : text.split("\n\\s*\n")) {
            if (!SentenceSplitter.isCode(paragraph)) {
                prose.append(paragraph).append('\n');
            }
        }
        return detectScript(prose.isEmpty() ? text : prose.toString());
    }

    private String detectScript(String text) {
        int han = 0, kana = 0, hangul = 0, cyrillic = 0, latin = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            Character.UnicodeScript script = Character.UnicodeScript.of(cp);
            switch (script) {
                case HAN -> han++;
                case HIRAGANA, KATAKANA -> kana++;
                case HANGUL -> hangul++;
                case CYRILLIC -> cyrillic++;
                case LATIN -> latin++;
                default -> { }
            }
        }
        // A Chinese character carries about as much as a short Latin word, so weigh it accordingly.
        if (kana > 0 && kana * 4 >= han) {
            return "ja";
        }
        if (hangul * 3 > latin) {
            return hangul > 0 ? "ko" : UNDETERMINED;
        }
        if (han * 5 > latin && han > 0) {
            return "zh";
        }
        if (cyrillic > latin) {
            return "ru";
        }
        if (latin == 0) {
            return UNDETERMINED;
        }
        return looksEnglish(text) ? "en" : UNDETERMINED;
    }

    private static boolean looksEnglish(String text) {
        Matcher m = LATIN_WORD.matcher(text);
        int words = 0, function = 0;
        while (m.find()) {
            words++;
            if (ENGLISH_FUNCTION_WORDS.contains(m.group().toLowerCase(Locale.ROOT))) {
                function++;
            }
        }
        // Lists of names or a three-word brief may have no function words at all; call short Latin text English.
        return words < 12 || function * 20 >= words;
    }
}
