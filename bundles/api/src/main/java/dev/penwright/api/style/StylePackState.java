package dev.penwright.api.style;

/** Where a deployed pack stands. */
public enum StylePackState {
    /** Validated and registered as a {@link StylePack} service. */
    ACTIVE,
    /** Refused; the entry's reason says why. */
    REJECTED,
    /**
     * Valid, but its bundle was stopped on purpose: not served until it is started again.
     *
     * @since 1.5
     */
    STOPPED
}
