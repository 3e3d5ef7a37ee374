package dev.penwright.engine.internal;

/** The brackets a styled text may insert around what it copies, and whether a token's closers were opened. */
final class Brackets {
    /** Brackets the text may insert around what it copies; a quote mark both opens and closes. */
    static final String OPENERS = "{[(<\"";
    static final String CLOSERS = "}])>\"";
    /** Brackets that set an aside apart (braces mark up a reference, quotes quote: neither holds an aside). */
    static final String ASIDE_OPENERS = "([";
    /** Closers of brackets that mark up a term ("{ping}", "<foo>"): a term ends before the punctuation after it. */
    static final String TERM_CLOSERS = "}>";
    /** Punctuation no marked-up term holds: a sentence's or a clause's end, or a closing bracket. */
    static final String TERM_ENDS = ".,;:!?)]";

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

    /**
     * Whether {@code b} closes a bracket with nothing but white space inside: the innermost owed one when
     * {@code openedEmpty} (the text's last non-space byte opened it), or one {@code b} opens itself ("()", "{\n}").
     */
    static boolean closesEmpty(String owed, boolean openedEmpty, byte[] b) {
        return scanEmpty(owed, openedEmpty, b) < 0;
    }

    /**
     * Whether, after {@code b} (inserted, not copied), the text's last non-space byte is an opening bracket: nothing is
     * inside it yet. {@code owed} and {@code openedEmpty} are as before {@code b}.
     */
    static boolean leavesOpenEmpty(String owed, boolean openedEmpty, byte[] b) {
        return scanEmpty(owed, openedEmpty, b) > 0;
    }

    /** -1: {@code b} closes an empty pair; 1: it leaves a bracket open and empty; 0: neither. */
    private static int scanEmpty(String owed, boolean openedEmpty, byte[] b) {
        String open = owed;
        boolean empty = openedEmpty && !open.isEmpty();
        for (byte x : b) {
            if (CopySource.isSpace(x)) {
                continue;
            }
            if (!open.isEmpty() && x == open.charAt(open.length() - 1)) {
                if (empty) {
                    return -1;
                }
                open = open.substring(0, open.length() - 1);
                empty = false;
            } else if (OPENERS.indexOf(x) >= 0) {
                open += CLOSERS.charAt(OPENERS.indexOf(x));
                empty = true;
            } else {
                empty = false;
            }
        }
        return empty ? 1 : 0;
    }
}
