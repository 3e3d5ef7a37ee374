package dev.penwright.evaluators;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds checkable facts in English and Chinese text: numbers (Arabic, full-width, Chinese numerals) with their unit,
 * dates, capitalised names and quoted terms. Rule-based and deliberately conservative on the output side (what counts
 * as a claim), liberal on the support side ({@link #supportNumbers}: any number written in any way), so that a fact
 * flagged as unsupported is very likely really absent.
 *
 * <p>Not covered: Chinese personal and place names (no capitalisation to go by), spelled-out English numbers.
 */
public final class FactExtractor {
    private static final String MONTHS = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
            + "|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
    private static final Pattern MONTH_DAY_YEAR = Pattern.compile(
            "\\b(" + MONTHS + ")\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DAY_MONTH_YEAR = Pattern.compile(
            "\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(" + MONTHS + ")\\.?(?:,?\\s+(\\d{4})\\b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ISO_DATE = Pattern.compile("\\b(\\d{4})-(\\d{2})-(\\d{2})\\b");
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\p{IsLatin}\\p{N}.])(\\d+(?:[.,:]\\d+)*)(?![\\p{N}])(?:\\s?(%|percent\\b|per cent\\b"
                    + "|[kmgt]i?b\\b|[kmgt]?hz\\b|[kmgt]?bytes?\\b|bits?\\b|km\\b|cm\\b|mm\\b|m\\b|kg\\b|mg\\b|g\\b"
                    + "|lbs?\\b|ms\\b|s\\b|secs?\\b|seconds?\\b|minutes?\\b|hours?\\b|days?\\b|weeks?\\b|months?\\b"
                    + "|years?\\b|dpi\\b|px\\b|pixels?\\b|°[cf]|dollars?\\b|euros?\\b|people\\b|times\\b"
                    + "|年|月|日|号|岁|元|块|米|公里|千米|厘米|斤|公斤|千克|吨|人|名|次|倍|天|周|小时|分钟|秒|世纪|度|万|亿))?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CURRENCY = Pattern.compile("([$€£¥])\\s?(\\d+(?:[.,]\\d+)*)");
    /** Measure words: with a numeral they count something, but 一 + measure word is mostly just "a". */
    private static final String ZH_MEASURE_WORDS = "字|首|句|章|卷|页|篇|部|本|件|位|家|种|条|行|座|匹|只|头|棵";
    private static final Pattern ZH_NUMBER = Pattern.compile("(第)?([" + ChineseNumerals.ALL + "]+)"
            + "(年|月|日|号|岁|元|块|米|里|公里|千米|厘米|斤|公斤|千克|吨|人|名|次|倍|天|周|小时|分钟|秒|世纪|度|"
            + ZH_MEASURE_WORDS + ")?");
    private static final Pattern MEASURE_WORD = Pattern.compile(ZH_MEASURE_WORDS);
    private static final Pattern QUOTED = Pattern.compile(
            "\"([^\"\\n]{1,80})\"|“([^”\\n]{1,80})”|‘([^’\\n]{1,80})’|「([^」\\n]{1,80})」|『([^』\\n]{1,80})』"
                    + "|《([^》\\n]{1,80})》|(?<![\\p{L}\\p{N}])'([^'\\n]{2,60})'(?![\\p{L}\\p{N}])");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}&+_-]*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?;:。！？；：\\n]");
    private static final Set<String> NOT_NAMES = Set.of("i", "a", "an", "the", "this", "that", "these", "those",
            "it", "its", "in", "on", "at", "of", "for", "to", "and", "or", "but", "if", "when", "with", "as", "by",
            "is", "are", "was", "be", "we", "you", "he", "she", "they", "my", "our", "your", "there", "see", "also",
            "note", "some", "many", "most", "all", "any", "each", "not", "no", "so", "from", "after", "before");

    /** Text in NFKC (full-width digits and letters become ASCII), as every comparison here sees it. */
    static String normalize(String text) {
        return Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC);
    }

    /** The facts a text states. */
    public List<Fact> extract(String rawText) {
        String text = normalize(rawText);
        List<Fact> facts = new ArrayList<>();
        boolean[] used = new boolean[text.length()];
        dates(text, facts, used);
        numbers(text, facts, used);
        quoted(text, facts);
        names(text, facts);
        return facts;
    }

    private static void dates(String text, List<Fact> facts, boolean[] used) {
        for (Matcher m = MONTH_DAY_YEAR.matcher(text); m.find(); ) {
            addDate(facts, used, m, month(m.group(1)), m.group(2), m.group(3));
        }
        for (Matcher m = DAY_MONTH_YEAR.matcher(text); m.find(); ) {
            if (!used[m.start()]) {
                addDate(facts, used, m, month(m.group(2)), m.group(1), m.group(3));
            }
        }
        for (Matcher m = ISO_DATE.matcher(text); m.find(); ) {
            addDate(facts, used, m, Integer.parseInt(m.group(2)), m.group(3), m.group(1));
        }
    }

    private static void addDate(List<Fact> facts, boolean[] used, Matcher m, int month, String day, String year) {
        int d = Integer.parseInt(day);
        if (month < 1 || month > 12 || d < 1 || d > 31) {
            return;
        }
        String key = month + "-" + d + (year == null ? "" : "-" + Integer.parseInt(year));
        facts.add(new Fact(Fact.Kind.DATE, m.group(), key, ""));
        for (int i = m.start(); i < m.end(); i++) {
            used[i] = true;
        }
    }

    private static int month(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String[] prefixes = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
        for (int i = 0; i < prefixes.length; i++) {
            if (n.startsWith(prefixes[i])) {
                return i + 1;
            }
        }
        return -1;
    }

    private static void numbers(String text, List<Fact> facts, boolean[] used) {
        for (Matcher m = CURRENCY.matcher(text); m.find(); ) {
            if (!used[m.start()]) {
                facts.add(new Fact(Fact.Kind.NUMBER, m.group(), numberKey(m.group(2)), m.group(1)));
                mark(used, m.start(), m.end());
            }
        }
        for (Matcher m = NUMBER.matcher(text); m.find(); ) {
            if (used[m.start()]) {
                continue;
            }
            String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
            facts.add(new Fact(Fact.Kind.NUMBER, m.group().strip(), numberKey(m.group(1)), unit));
            mark(used, m.start(), m.end());
        }
        for (Matcher m = ZH_NUMBER.matcher(text); m.find(); ) {
            String numeral = m.group(2);
            boolean ordinal = m.group(1) != null;
            String unit = m.group(3) == null ? "" : m.group(3);
            // A lone 一 or 千万 is mostly not a number in Chinese prose (一样, 千万不要); only numerals that count
            // something (a unit follows, or 第 makes an ordinal) are claims.
            if (unit.isEmpty() && !ordinal) {
                continue;
            }
            if (numeral.equals("一") && !ordinal && MEASURE_WORD.matcher(unit).matches()) {
                continue;
            }
            long value = ChineseNumerals.parse(numeral);
            if (value >= 0) {
                facts.add(new Fact(Fact.Kind.NUMBER, m.group(), Long.toString(value), ordinal ? "第" + unit : unit));
            }
        }
    }

    private static void mark(boolean[] used, int from, int to) {
        for (int i = from; i < to; i++) {
            used[i] = true;
        }
    }

    /** 1,000 and 1000 are the same number; 3.14 and 2.6.0 stay as written. */
    static String numberKey(String digits) {
        if (digits.matches("\\d{1,3}(,\\d{3})+")) {
            return digits.replace(",", "");
        }
        if (digits.matches("0*\\d+")) {
            String stripped = digits.replaceFirst("^0+(?=\\d)", "");
            return stripped;
        }
        return digits;
    }

    private static void quoted(String text, List<Fact> facts) {
        for (Matcher m = QUOTED.matcher(text); m.find(); ) {
            for (int g = 1; g <= m.groupCount(); g++) {
                String inner = m.group(g);
                if (inner != null && !inner.isBlank()) {
                    facts.add(new Fact(Fact.Kind.QUOTED, m.group(), squash(inner), ""));
                    break;
                }
            }
        }
    }

    private static void names(String text, List<Fact> facts) {
        List<String> run = new ArrayList<>();
        int lastEnd = -1;
        boolean sentenceStart = true;
        int scanned = 0;
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String between = text.substring(scanned, m.start());
            boolean newSentence = SENTENCE_END.matcher(between).find() || scanned == 0;
            if (newSentence || (lastEnd >= 0 && !between.isBlank())) {
                flushName(run, facts);
            }
            if (newSentence) {
                sentenceStart = true;
            }
            String w = m.group();
            boolean capitalised = Character.isUpperCase(w.codePointAt(0))
                    || (w.length() > 1 && w.chars().skip(1).anyMatch(Character::isUpperCase));
            boolean cjk = RougeTokenizer.isCjk(w.codePointAt(0));
            if (capitalised && !cjk) {
                boolean stop = NOT_NAMES.contains(w.toLowerCase(Locale.ROOT));
                // A sentence's first word is capitalised anyway: it only starts a name if it cannot be ordinary.
                if (!(stop && (sentenceStart || run.isEmpty())) && !(sentenceStart && isPlainInitial(w))) {
                    run.add(w);
                    lastEnd = m.end();
                }
            } else {
                flushName(run, facts);
            }
            sentenceStart = false;
            scanned = m.end();
        }
        flushName(run, facts);
    }

    /** A sentence-initial word with only its first letter capitalised and no digits, such as "Provides". */
    private static boolean isPlainInitial(String w) {
        return w.chars().skip(1).noneMatch(c -> Character.isUpperCase(c) || Character.isDigit(c));
    }

    private static void flushName(List<String> run, List<Fact> facts) {
        if (!run.isEmpty()) {
            String name = String.join(" ", run);
            facts.add(new Fact(Fact.Kind.NAME, name, name.toLowerCase(Locale.ROOT), ""));
            run.clear();
        }
    }

    /** Every number a text mentions in any notation: what a number in an output may be supported by. */
    public Set<String> supportNumbers(String rawText) {
        String text = normalize(rawText);
        Set<String> keys = new HashSet<>();
        for (Matcher m = Pattern.compile("\\d+(?:[.,:]\\d+)*").matcher(text); m.find(); ) {
            String digits = m.group();
            keys.add(numberKey(digits));
            // Also each part, so that "3.5" in the source supports neither more nor less than itself but a date
            // such as 2024-03-05 supports 2024, 3 and 5.
            for (String part : digits.split("[.,:]")) {
                keys.add(numberKey(part));
            }
        }
        for (Matcher m = Pattern.compile("\\d+").matcher(text); m.find(); ) {
            keys.add(numberKey(m.group()));
        }
        for (Matcher m = Pattern.compile("[" + ChineseNumerals.ALL + "]+").matcher(text); m.find(); ) {
            long v = ChineseNumerals.parse(m.group());
            if (v >= 0) {
                keys.add(Long.toString(v));
            }
        }
        for (Fact f : extract(rawText)) {
            if (f.kind() == Fact.Kind.DATE) {
                keys.add("date:" + f.key());
            }
        }
        return keys;
    }

    /** Lower case, NFKC, single spaces: the form in which names and quoted terms are looked up. */
    static String squash(String text) {
        String joined = String.join(" ", PythonText.split(normalize(text).toLowerCase(Locale.ROOT)));
        // Between two CJK characters white space is layout (a hard-wrapped line), never a word break.
        StringBuilder out = new StringBuilder(joined.length());
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == ' ' && i > 0 && i + 1 < joined.length() && RougeTokenizer.isCjk(joined.codePointBefore(i))
                    && RougeTokenizer.isCjk(joined.codePointAt(i + 1))) {
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The lower-case words of a text (Latin words and single CJK characters). */
    static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        String t = normalize(text).toLowerCase(Locale.ROOT);
        for (Matcher m = WORD.matcher(t); m.find(); ) {
            String w = m.group();
            if (w.codePoints().anyMatch(RougeTokenizer::isCjk)) {
                w.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            } else {
                out.add(w);
            }
        }
        return out;
    }
}
