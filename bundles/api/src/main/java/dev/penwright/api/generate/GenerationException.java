package dev.penwright.api.generate;

/**
 * A request that could not be served, with a stable machine-readable code so that every front end (HTTP, shell)
 * reports it the same way: the HTTP layer maps codes to status codes, the shell prints them.
 */
public class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The queue of waiting requests is full; try again after {@link #retryAfterSeconds()}. */
    public static final String QUEUE_FULL = "queue_full";
    /** No Styler service (the small-model engine) is installed. */
    public static final String NO_STYLER = "no_styler";
    /** The requested style pack is not active. */
    public static final String STYLE_NOT_FOUND = "style_not_found";
    /** The requested planner is not installed. */
    public static final String PLANNER_NOT_FOUND = "planner_not_found";
    /** The planner could not make a plan from the material. */
    public static final String PLANNING_FAILED = "planning_failed";
    /** The request ran out of time. */
    public static final String TIMEOUT = "timeout";
    /** The request itself is invalid (empty material, bad option values). */
    public static final String INVALID_REQUEST = "invalid_request";
    /**
     * A remote rendering backend failed: it refused the request, broke off, or answered something that is not a
     * completion.
     *
     * @since 1.3
     */
    public static final String BACKEND_FAILED = "backend_failed";
    /** The service is shutting down or the engine failed. */
    public static final String UNAVAILABLE = "unavailable";

    private final String code;
    private final int retryAfterSeconds;

    public GenerationException(String code, String message) {
        this(code, message, 0, null);
    }

    public GenerationException(String code, String message, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String code() {
        return code;
    }

    /** Seconds a client should wait before retrying; 0 when a retry will not help. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
