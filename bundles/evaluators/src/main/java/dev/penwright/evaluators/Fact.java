package dev.penwright.evaluators;

/**
 * A checkable statement found in a text.
 *
 * @param kind what sort of fact
 * @param text as it appears in the text
 * @param key  the normalised form compared across texts: a number's value (1,000 and 一千 are both 1000), a name or
 *             quoted term in lower case with single spaces, a date as month-day-year numbers
 * @param unit a number's unit in lower case (kg, %, 年), or empty
 */
public record Fact(Kind kind, String text, String key, String unit) {
    public enum Kind { NUMBER, DATE, NAME, QUOTED }

    public Fact {
        unit = unit == null ? "" : unit;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + text;
    }
}
