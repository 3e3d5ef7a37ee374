package dev.penwright.evaluators;

/** Chinese numerals to numbers: 三千五百 = 3500, 两万 = 20000, 二〇二四 = 2024 (digit by digit), 十五 = 15. */
final class ChineseNumerals {
    static final String DIGITS = "零〇一二两三四五六七八九";
    static final String MULTIPLIERS = "十百千万亿";
    static final String ALL = DIGITS + MULTIPLIERS;

    private ChineseNumerals() {
    }

    static int digit(char c) {
        return switch (c) {
            case '零', '〇' -> 0;
            case '一' -> 1;
            case '二', '两' -> 2;
            case '三' -> 3;
            case '四' -> 4;
            case '五' -> 5;
            case '六' -> 6;
            case '七' -> 7;
            case '八' -> 8;
            case '九' -> 9;
            default -> -1;
        };
    }

    /** The value of a run of Chinese numeral characters, or -1 if it is not a well-formed number. */
    static long parse(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        boolean hasMultiplier = false;
        for (char c : s.toCharArray()) {
            if (ALL.indexOf(c) < 0) {
                return -1;
            }
            hasMultiplier |= MULTIPLIERS.indexOf(c) >= 0;
        }
        if (!hasMultiplier) {
            long v = 0;
            for (char c : s.toCharArray()) {
                v = v * 10 + digit(c);
            }
            return v;
        }
        long total = 0;   // finished 亿 and 万 groups
        long section = 0; // the current group below 万
        long number = 0;  // the pending digit
        for (char c : s.toCharArray()) {
            int d = digit(c);
            if (d >= 0) {
                number = d;
                continue;
            }
            switch (c) {
                case '十', '百', '千' -> {
                    long unit = c == '十' ? 10 : c == '百' ? 100 : 1000;
                    section += (number == 0 ? 1 : number) * unit;
                    number = 0;
                }
                case '万' -> {
                    long group = section + number;
                    total += (group == 0 ? 1 : group) * 10_000;
                    section = 0;
                    number = 0;
                }
                case '亿' -> {
                    long group = total + section + number;
                    total = (group == 0 ? 1 : group) * 100_000_000;
                    section = 0;
                    number = 0;
                }
                default -> {
                    return -1;
                }
            }
        }
        return total + section + number;
    }
}
