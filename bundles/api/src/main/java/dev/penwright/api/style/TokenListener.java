package dev.penwright.api.style;

/** Sees generated text as it is written. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = piece -> { };

    void onText(String piece);
}
