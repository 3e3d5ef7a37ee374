package dev.penwright.api.style;

/** Where a deployed pack stands. */
public enum StylePackState {
    /** Validated and registered as a {@link StylePack} service. */
    ACTIVE,
    /** Refused; the entry's reason says why. */
    REJECTED
}
