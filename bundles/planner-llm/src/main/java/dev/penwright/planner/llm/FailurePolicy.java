package dev.penwright.planner.llm;

import java.util.Locale;

/** What a planner does when its model cannot give a plan: fail, or ask the extractive planner instead. */
enum FailurePolicy {
    FAIL, FALLBACK;

    static FailurePolicy parse(String key, Object value) {
        String v = value == null ? "fail" : value.toString().strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "fail" -> FAIL;
            case "fallback" -> FALLBACK;
            default -> throw new IllegalArgumentException(key + " must be 'fail' or 'fallback', not '" + value + "'");
        };
    }
}
