package dev.penwright.shell;

/** A subcommand that ended with a non-zero status, carried through the Gogo shell to the launcher. */
final class ExitStatusException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    ExitStatusException(String message, int status) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
