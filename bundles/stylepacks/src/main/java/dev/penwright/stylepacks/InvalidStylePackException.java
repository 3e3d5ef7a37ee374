package dev.penwright.stylepacks;

/** A pack that cannot be used; the message is the reason shown to administrators. */
public class InvalidStylePackException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidStylePackException(String reason) {
        super(reason);
    }

    public InvalidStylePackException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
