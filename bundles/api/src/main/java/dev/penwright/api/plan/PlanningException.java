package dev.penwright.api.plan;

/** A planner could not make a valid plan; the message says why. */
public class PlanningException extends Exception {
    private static final long serialVersionUID = 1L;

    public PlanningException(String message) {
        super(message);
    }

    public PlanningException(String message, Throwable cause) {
        super(message, cause);
    }
}
