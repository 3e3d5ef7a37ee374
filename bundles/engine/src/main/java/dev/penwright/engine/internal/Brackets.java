package dev.penwright.engine.internal;

/** The brackets a styled text may insert around what it copies, and whether a token's closers were opened. */
final class Brackets {
    /** Brackets the text may insert around what it copies; a quote mark both opens and closes. */
    static final String OPENERS = "{[(<\"";
    static final String CLOSERS = "}])>\"";
    /** Brackets that set an aside apart (braces mark up a reference, quotes quote: neither holds an aside). */
    static final String ASIDE_OPENERS = "([";

    private Brackets() {
    }

    /** Whether {@code b} closes a bracket that is not among {@code owed} (the closers owed, innermost last). */
    static boolean closesUnopened(String owed, byte[] b) {
        String open = owed;
        for (byte x : b) {
            if (!open.isEmpty() && x == open.charAt(open.length() - 1)) {
                open = open.substring(0, open.length() - 1);
            } else if (OPENERS.indexOf(x) >= 0) {
                open += CLOSERS.charAt(OPENERS.indexOf(x));
            } else if (CLOSERS.indexOf(x) >= 0) {
                return true;
            }
        }
        return false;
    }
}
