package dev.penwright.evaluators;

/** rouge-score's {@code Score} tuple, as fractions 0 to 1 (multiply by 100 for Penwright's scale). */
public record RougeScore(double precision, double recall, double fmeasure) {
    public static final RougeScore ZERO = new RougeScore(0, 0, 0);

    /** rouge-score's {@code scoring.fmeasure}. */
    static RougeScore of(double precision, double recall) {
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
        return new RougeScore(precision, recall, f);
    }
}
