package dev.penwright.trainer.data;

/** One preference line: for {@code prompt}, {@code chosen} is preferred over {@code rejected}. */
public record PreferencePair(String id, String prompt, String chosen, String rejected) {
}
