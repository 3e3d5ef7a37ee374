package dev.penwright.evaluators;

/** A pairs file that cannot be read; the message names the file and the line. */
public class PairsFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;

    public PairsFileException(String message, int line, Throwable cause) {
        super(message, cause);
        this.line = line;
    }

    /** The 1-based line, or 0 when the problem is the file as a whole. */
    public int line() {
        return line;
    }
}
