package dev.penwright.engine.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static dev.penwright.engine.internal.CopySource.isSpace;
import static dev.penwright.engine.internal.CopySource.leadingSpace;

/**
 * How far a row's text has written its copy source (the plan's draft): a position in the source's bytes that moves
 * forward as the text writes the source's next bytes, so the plan-copy bias can always propose the source's next
 * token, not only after the text happens to match it. A styled text keeps its plan's words in order but changes the
 * layout, so the cursor treats a run of white space in the text as the source's run of white space (a line break for
 * a space, or a space inserted before a word), lets inserted punctuation and layout tokens pass without moving, and
 * moves past a few skipped source bytes when the text resumes the source further on. It never moves back, so a
 * span already written is not proposed again (which is what made suffix matching loop), with one exception, the
 * aside: a neutral draft turns a bracketed aside into a sentence of its own after the one it stood in, and a styled
 * text may put it back. Right after the text opens a bracket, the short sentence after the current one is proposed too; when
 * the text takes one, the cursor writes it there and, at the closing bracket, returns to where it left, and later
 * passes over the sentence it already wrote.
 */
final class PlanCursor {
    /** How far ahead (bytes) a token that left the source may be found again to resume the copy there. */
    static final int RESYNC_WINDOW = 16;
    /** Non-space bytes a token must have to resume the copy further on (shorter ones match too easily). */
    static final int RESYNC_MIN_BYTES = 3;

    private final CopySource source;
    private int pos;
    /**
     * Whether the text so far ends with white space or markup (or is empty): the source's white space may then be
     * skipped, as a word after a line break or an opening bracket takes no space of its own.
     */
    private boolean afterBreak = true;
    /** Tokens copied in a row (the bias grows with it). */
    private int run;
    /** Whether the text so far ends a line (or is empty), but for indentation. */
    private boolean atLineStart = true;
    /** Closing brackets the text owes: opened by the text (not copied from the source), innermost last. */
    private String owed = "";
    /** Whether the text's last token opened a bracket of its own (an aside may start here). */
    private boolean justOpened;
    /** Whether the text's last non-space byte opened a bracket of its own: nothing is inside it yet. */
    private boolean openedEmpty;
    /** Where the source goes on once the aside being written closes, or -1 outside one. */
    private int returnTo = -1;
    /** The aside's start and full stop in the source, and how many closers were owed before its bracket opened. */
    private int asideStart = -1;
    private int asideEnd = -1;
    private int asideDepth;
    /** Source spans written early as asides, as [start, end) pairs, passed over when the cursor reaches them. */
    private int[] written = new int[0];
    /** Whether the text's last token closed an aside: the word after it needs a separator of its own. */
    private boolean closedAside;
    /** Whether the text's line so far is a list mark it put at the line's start (and white space): an item begins. */
    private boolean markedItem;
    /** Whether the text's last token was an attribution dash it put before the draft's last sentence. */
    private boolean justSigned;
    /** Whether the text has put an attribution dash before the draft's last sentence (it signs once). */
    private boolean signed;
    /** Whether the text's last token wrote source bytes (not only layout or inserted marks). */
    private boolean copiedLast;

    PlanCursor(CopySource source) {
        this.source = source;
    }

    PlanCursor copy() {
        PlanCursor c = new PlanCursor(source);
        c.pos = pos;
        c.afterBreak = afterBreak;
        c.run = run;
        c.owed = owed;
        c.atLineStart = atLineStart;
        c.justOpened = justOpened;
        c.openedEmpty = openedEmpty;
        c.returnTo = returnTo;
        c.asideStart = asideStart;
        c.asideEnd = asideEnd;
        c.asideDepth = asideDepth;
        c.written = written;
        c.closedAside = closedAside;
        c.markedItem = markedItem;
        c.justSigned = justSigned;
        c.signed = signed;
        c.copiedLast = copiedLast;
        return c;
    }

    /**
     * Starts the cursor after text the prompt already holds ({@code last}: its final token's bytes), as a later
     * section of a long draft continues the text written so far: a word then takes the separator the source has
     * before it. Starting as at a text's start let a section's first word follow the last one's full stop with no
     * space ("on the disk.The hacker": 14 of 683 benchmark texts).
     */
    void continueAfter(byte[] last) {
        if (last.length == 0) {
            return;
        }
        afterBreak = opensWord(last);
        atLineStart = false;
        followLines(last);
    }

    /** Whether the text is at a line's start after {@code b}: a line break starts one, indentation keeps it. */
    private void followLines(byte[] b) {
        for (byte x : b) {
            if (x == '\n') {
                atLineStart = true;
            } else if (x != ' ' && x != '\t') {
                atLineStart = false;
            }
        }
    }

    /** The cursor's offset in the source's bytes (it only moves forward, but for an aside's return). */
    int position() {
        return pos;
    }

    /** Whether the token writes the source's next bytes (after its white space, where the text may skip it). */
    boolean writesSource(byte[] b) {
        return copies(b);
    }

    /**
     * Whether the cursor stands in a verbatim range of the source (a shell session): there the text writes the
     * source's next bytes exactly, its white space too, or nothing.
     */
    boolean inVerbatim() {
        return source.verbatimAt(pos);
    }

    /** Whether the token writes exactly the source's next bytes from the cursor (no white space of its own). */
    boolean copiesExactly(byte[] b) {
        return matchAt(b, 0, pos) >= 0;
    }

    /** Whether the whole source is written. */
    boolean done() {
        return pos >= source.bytes.length;
    }

    /**
     * Whether all that is left of the source is its closing full stop: a text that ends on an attribution or a heading
     * has none, so the end of text may come instead, by the model's odds.
     */
    boolean onlyStopLeft() {
        return pos >= source.contentEnd && !done();
    }

    int run() {
        return run;
    }

    /** The tokens that write the source's next bytes from the cursor (after its white space, when the text has some). */
    Set<Integer> proposals() {
        Set<Integer> out = new HashSet<>();
        source.trie.prefixesAt(source.bytes, pos, out::add);
        if (afterBreak && pos < source.bytes.length && isSpace(source.bytes[pos])) {
            source.trie.prefixesAt(source.bytes, source.skipSpace(pos), out::add);
        }
        if (justSigned && pos < source.bytes.length) {
            // "-- Osamu Aoki" or "--《谚语》": after a signature's dash the name may take a space the draft lacks.
            byte[] spaced = new byte[Math.min(source.bytes.length - pos, 64) + 1];
            spaced[0] = ' ';
            System.arraycopy(source.bytes, pos, spaced, 1, spaced.length - 1);
            source.trie.prefixesAt(spaced, 0, out::add);
        }
        return out;
    }

    /**
     * Right after the text opened a bracket (outside an aside), the tokens that start a short sentence just ahead,
     * capitalised as in the source or not: what the text may put in the bracket instead of the source's next words.
     */
    Set<Integer> asideProposals() {
        if (!justOpened || returnTo >= 0) {
            return Set.of();
        }
        int start = asideStart();
        if (start < 0) {
            return Set.of();
        }
        Set<Integer> out = new HashSet<>();
        source.trie.prefixesAt(source.bytes, start, out::add);
        byte first = source.bytes[start];
        if (first >= 'A' && first <= 'Z') {
            byte[] lower = Arrays.copyOfRange(source.bytes, start, Math.min(source.bytes.length, start + 64));
            lower[0] = (byte) (first + ('a' - 'A'));
            source.trie.prefixesAt(lower, 0, out::add);
        }
        return out;
    }

    /**
     * Where the aside the text may start here begins: the next short sentence not written yet, or -1. Not before the
     * text has written any of the source: what an aside stood beside is not there yet ("[Compare WIBNI]" first would
     * move a closing remark to the top).
     */
    private int asideStart() {
        return pos == 0 ? -1 : source.asideAfter(pos, at -> writtenEnd(at) >= 0);
    }

    /** The end of the written span that starts at {@code at}, or -1. */
    private int writtenEnd(int at) {
        for (int i = 0; i < written.length; i += 2) {
            if (written[i] == at) {
                return written[i + 1];
            }
        }
        return -1;
    }

    /** The source's next word after the cursor (see {@link CopySource#nextUnit}). */
    String nextUnit() {
        return source.nextUnit(pos);
    }

    /** Whether one of {@code starts} lies between the cursor and its sentence's end (see {@link CopySource}). */
    boolean sentenceAheadHolds(int[] starts) {
        return !done() && source.holdsBeforeSentenceEnd(starts, source.skipSpace(pos), pos);
    }

    /** Whether the source's next byte closes a sentence (a headword's "ABATIS." where the style writes ", n."). */
    boolean atSentencePunct() {
        return pos < source.bytes.length && CopySource.isSentencePunct(source.bytes[pos]);
    }

    /** The source's tokens from the cursor, when it stands at a token's start (else empty). */
    int[] continuation(int max) {
        int at = pos < source.tokenAt.length ? source.tokenAt[pos] : -1;
        if (at < 0 || max <= 0) {
            return new int[0];
        }
        return Arrays.copyOfRange(source.ids, at, Math.min(source.ids.length, at + max));
    }

    /**
     * The source's own next token (its tokenizer's choice) when the cursor stands at a token's start, else -1; also
     * -1 after a break in the text before the source's white space, where the word may come with or without it, and
     * after a signature's dash (see {@link #proposals}).
     */
    int canonical() {
        if (afterBreak && pos < source.bytes.length && isSpace(source.bytes[pos]) || justSigned) {
            return -1;
        }
        int at = pos < source.tokenAt.length ? source.tokenAt[pos] : -1;
        return at < 0 ? -1 : source.ids[at];
    }

    /**
     * Whether the text may take layout here (white space, markup) rather than the source's next bytes: where the
     * source has white space, after a CJK character where a line may break (between two CJK characters, before an
     * opening bracket, after a full stop), at its start and its end. Never inside a word, nor before punctuation.
     */
    boolean atBoundary() {
        byte[] src = source.bytes;
        if (pos == 0 || pos >= src.length || isSpace(src[pos]) || isSpace(src[pos - 1])) {
            return true;
        }
        if (returnTo >= 0 && pos == asideEnd) {
            // The aside's own full stop: its closing bracket takes that place.
            return true;
        }
        // Between CJK characters, before an opening bracket, after a full stop: where a line may break although the
        // source has no white space (a space-separated script breaks only at its spaces, handled above).
        return (src[pos - 1] & 0x80) != 0 && source.breaksBefore(pos);
    }

    /**
     * Whether the source's next bytes are a CJK full stop a line may break after: a line break may stand for it (a
     * heading or an attribution ends its line with none), and the cursor then passes over it.
     */
    boolean atDroppableStop() {
        return source.cjkStopAt(pos);
    }

    /**
     * Whether the token would open a paragraph (a blank line: two line breaks in its leading white space, or one
     * after a line the text has just ended) inside one of the source's sentences: a paragraph break never cuts a
     * sentence, in any style ("提高性" / "能", "HD-audio commands" / "to Intel"), while a single line break may
     * (a hard-wrapped style breaks anywhere).
     */
    boolean splitsSentence(byte[] b) {
        if (pos == 0 || done()) {
            return false;
        }
        int breaks = atLineStart ? 1 : 0;
        for (int i = 0; i < b.length && isSpace(b[i]); i++) {
            if (b[i] == '\n') {
                breaks++;
            }
        }
        return breaks >= 2 && !source.paragraphMayBreakAt(pos) && !atDroppableStop();
    }

    /** Whether the text is at the start of a line (indentation aside), where a dash marks an item or an attribution. */
    boolean atLineStart() {
        return atLineStart;
    }

    /** The closing bracket the text owes next (one it opened itself), or 0. */
    char owedCloser() {
        return owed.isEmpty() ? 0 : owed.charAt(owed.length() - 1);
    }

    /**
     * Whether the text is writing an aside and has not reached its full stop: its bracket closes only there, so that
     * an aside moves whole (a word taken from a later sentence would be a word out of place).
     */
    boolean asideOpen() {
        return returnTo >= 0 && pos < asideEnd;
    }

    /** Takes the text's next token's bytes. */
    void advance(byte[] b) {
        if (b.length == 0) {
            return;
        }
        int before = pos;
        String owedBefore = owed;
        boolean lineStart = atLineStart;
        boolean signOff = atSignOff();
        boolean blank = leadingSpace(b) == b.length;
        closedAside = false;
        advanceOver(b);
        boolean mark = lineStart && pos == before && CopySource.isListMark(b);
        markedItem = mark || markedItem && blank;
        if (mark && !isSpace(b[b.length - 1]) && pos > 0 && isSpace(source.bytes[pos - 1])) {
            // "*" then "alcc" would make "*alcc": the item owes the white space the source had before its word.
            pos--;
        }
        followLines(b);
        boolean opened = false;
        if (pos == before) {
            // Markup the text inserted: an opening bracket is owed its closer, a closer pays the innermost one.
            for (byte x : b) {
                if (!owed.isEmpty() && x == owed.charAt(owed.length() - 1)) {
                    owed = owed.substring(0, owed.length() - 1);
                    opened = false;
                    if (returnTo >= 0 && owed.length() <= asideDepth) {
                        closeAside();
                    }
                } else if (Brackets.OPENERS.indexOf(x) >= 0) {
                    owed += Brackets.CLOSERS.charAt(Brackets.OPENERS.indexOf(x));
                    opened = Brackets.ASIDE_OPENERS.indexOf(x) >= 0;
                } else if (!isSpace(x)) {
                    opened = false;
                }
            }
        }
        justOpened = opened;
        // White space inside an empty bracket leaves it empty ("{" then a line break then "}").
        openedEmpty = blank ? openedEmpty : pos == before && Brackets.leavesOpenEmpty(owedBefore, openedEmpty, b);
        justSigned = signOff && pos == before && CopySource.isAttributionDash(b);
        signed |= justSigned;
        copiedLast = pos > before;
    }

    /** The aside's bracket closed: what it wrote of its sentence (and the full stop) is passed over later. */
    private void closeAside() {
        int end = pos;
        if (end < source.bytes.length && end == asideEnd) {
            end++;
        }
        leaveAside(end);
    }

    /** Records {@code [asideStart, end)} as written and goes back to where the text left the source. */
    private void leaveAside(int end) {
        written = Arrays.copyOf(written, written.length + 2);
        written[written.length - 2] = asideStart;
        written[written.length - 1] = end;
        // Back to the source's white space before where it left: the text owes it after the bracket.
        pos = returnTo;
        while (pos > 0 && isSpace(source.bytes[pos - 1]) && writtenEnd(pos) < 0) {
            pos--;
        }
        returnTo = -1;
        asideStart = -1;
        asideEnd = -1;
        afterBreak = false;
        closedAside = true;
    }

    /** Whether the text's last token was a list mark at a line's start (a word may not follow it directly). */
    boolean justMarkedItem() {
        return markedItem && !afterBreak;
    }

    /**
     * Whether the text stands at a line's start (indentation aside) right before the draft's last sentence, when the
     * draft has more than one: where a text signs off with an attribution.
     */
    boolean atSignOff() {
        return atLineStart && !signed && atLastSentence();
    }

    /**
     * Whether the text has just written the sentence before the draft's last one (its last token wrote source bytes):
     * where a line may break for a signature, once.
     */
    boolean afterSentenceBeforeSignature() {
        return copiedLast && !atLineStart && !signed && atLastSentence();
    }

    /** Whether the text stands right before the draft's last sentence, when the draft has more than one. */
    boolean atLastSentence() {
        return pos > 0 && source.lastSentenceStart > 0 && source.skipSpace(pos) == source.lastSentenceStart;
    }

    /** Whether the text has signed off (put an attribution dash before the draft's last sentence). */
    boolean signed() {
        return signed;
    }

    /** Whether the token is an attribution dash the text would insert (the source does not have it here). */
    boolean writesAttributionDash(byte[] b) {
        return CopySource.isAttributionDash(b) && !copies(b);
    }

    /** Whether a dash at this line's start would sign off the text elsewhere than before its last sentence, or twice. */
    boolean attributionMisplaced(byte[] b) {
        return atLineStart && CopySource.isAttributionDash(b) && !copies(b)
                && (signed || source.skipSpace(pos) != source.lastSentenceStart);
    }

    /**
     * Whether a list mark at this line's start would begin an item where the draft's items do not break, or before an
     * item the copy source numbers already ("* 2. EMBL"; a plan's numbered list, see the styler's NumberedItems).
     */
    boolean itemMarkMisplaced(byte[] b) {
        return atLineStart && CopySource.isListMark(b) && !copies(b)
                && (!source.atItemStart(pos) || source.numberedItemAt(source.skipSpace(pos)));
    }

    /** Right after a list mark, the tokens that start the item past a series conjunction of the draft's, or none. */
    Set<Integer> itemProposals() {
        return markedItem ? source.tokensPastConjunction(pos, !afterBreak) : Set.of();
    }

    /** Whether the text owes the closer of a term it marked up ("{" or "<"), outside an aside. */
    private boolean termOpen() {
        return Brackets.TERM_CLOSERS.indexOf(owedCloser()) >= 0 && returnTo < 0;
    }

    /** Whether the text owes a term's closer and the source's next byte is punctuation the term stops before. */
    boolean termEndsHere() {
        return termOpen() && pos < source.bytes.length && Brackets.TERM_ENDS.indexOf(source.bytes[pos]) >= 0;
    }

    /**
     * Whether the token would carry a brace (or angle bracket) the text opened past the punctuation after its term:
     * "(see {NAK). Thus … long}" or "{disgust. Very common; …}". A cross reference marks up a term, so the closer
     * comes first ("{NAK})").
     */
    boolean runsTermPastPunctuation(byte[] b) {
        char closer = owedCloser();
        if (!termOpen()) {
            return false;
        }
        for (byte x : b) {
            if (x == closer) {
                return false;
            }
            if (Brackets.TERM_ENDS.indexOf(x) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the token would open a parenthesis or a square bracket of the text's own where no aside of the draft can
     * be put back: such a bracket holds the draft's aside (what the neutraliser moved out of it) or nothing the draft
     * says, and the model, having opened one, closed it empty ("devscripts()", "[]16 or 18 bits") or around words of
     * the running sentence ("[16] or 18 bits").
     */
    boolean opensBracketWithoutAside(byte[] b) {
        int end = b.length;
        while (end > 0 && isSpace(b[end - 1])) {
            end--;
        }
        return end > 0 && Brackets.ASIDE_OPENERS.indexOf(b[end - 1]) >= 0 && !copies(b)
                && (returnTo >= 0 || asideStart() < 0);
    }

    /**
     * Whether the token, written next, would close a bracket the text opened with nothing inside ("devscripts()",
     * "{" then "}"): an empty pair says nothing and reads as a slip. A pair the source has is copied as it stands.
     */
    boolean closesEmpty(byte[] b) {
        return b.length > 0 && !copies(b) && Brackets.closesEmpty(owed, openedEmpty, b);
    }

    /**
     * Whether the token would leave the source inside a quotation and resume it further on: a quotation is copied as
     * it stands, its spaces too ("NotAutomatic: yes" written "NotAutomatic:yes" is another string).
     */
    boolean skipsInsideQuotation(byte[] b) {
        return source.insideQuotation(pos) && !copies(b) && leadingSpace(b) < b.length && resume(b) > pos;
    }

    /** Whether the text's last token closed an aside (a word may not follow it directly: "[Unix]The"). */
    boolean justClosedAside() {
        return closedAside;
    }

    /**
     * Whether the token, written next, would close a bracket that neither the source nor the text opened, or write a
     * straight double quote the source does not have there: a stray closer unbalances the text, and a quote mark or
     * bracket out of place changes what the text quotes or sets apart (which the hallucination check reads as a
     * quotation the plan does not hold; "info"" su" where the draft says "info su").
     */
    boolean closesUnopened(byte[] b) {
        return b.length > 0 && !copies(b) && (Brackets.closesUnopened(owed, b)
                // A straight double quote opens and closes alike: one the source lacks there is out of place.
                || holds(b, '"'));
    }

    /**
     * Whether the token would open a cross-reference brace ("{") that the source does not have, before a function
     * word: a cross reference names an entry, and "{the} older term" names none.
     */
    boolean bracesFunctionWord(byte[] b) {
        int end = b.length;
        while (end > 0 && isSpace(b[end - 1])) {
            end--;
        }
        return end > 0 && b[end - 1] == '{' && !copies(b)
                && FunctionWords.contains(source.nextUnit(pos).toLowerCase(java.util.Locale.ROOT));
    }

    /** Whether {@code b} holds the byte {@code x}. */
    private static boolean holds(byte[] b, char x) {
        for (byte y : b) {
            if (y == x) {
                return true;
            }
        }
        return false;
    }


    /** Whether the token writes the source's next bytes (after layout the text may put before them). */
    private boolean copies(byte[] b) {
        if (matchAt(b, 0, pos) >= 0) {
            return true;
        }
        int from = pos < source.bytes.length && isSpace(source.bytes[pos]) ? source.skipSpace(pos) : pos;
        int lead = leadingSpace(b);
        return (afterBreak || lead > 0) && lead < b.length && matchAt(b, lead, from) >= 0;
    }


    private void advanceOver(byte[] b) {
        byte[] src = source.bytes;
        int next = matchAt(b, 0, pos);
        if (next < 0 && pos < src.length && isSpace(src[pos]) && afterBreak) {
            next = matchAt(b, 0, source.skipSpace(pos));
        }
        if (next < 0 && isSpace(b[0])) {
            int lead = leadingSpace(b);
            int from = pos < src.length && isSpace(src[pos]) ? source.skipSpace(pos) : pos;
            if (lead == b.length) {
                // Layout only (a line break for the source's space, or white space inserted): the cursor passes the
                // source's white space, if any, and the copy run goes on; a line break for a CJK full stop passes it.
                if (source.cjkStopAt(from) && holds(b, '\n')) {
                    from = source.skipSpace(from + 3);
                }
                pos = passWritten(from);
                afterBreak = true;
                return;
            }
            next = matchAt(b, lead, from);
        }
        if (next < 0 && markedItem) {
            next = source.matchPastConjunction(b, pos);
        }
        if (next < 0 && justOpened && returnTo < 0) {
            int taken = takeAside(b);
            if (taken >= 0) {
                pos = taken;
                run = 1;
                afterBreak = opensWord(b);
                return;
            }
        }
        if (next >= 0) {
            pos = passWritten(next);
            run++;
            if (returnTo >= 0 && pos > asideEnd) {
                // The text wrote on past the aside's full stop without closing its bracket: what it skipped to get
                // there comes next, and the bracket closes where the model closes it.
                leaveAside(pos);
            }
            // A bracket or quote mark copied from the source keeps the source's white space after it: skipping it
            // would change what the source quotes ("$( command )" written "$(command )").
            afterBreak = isSpace(b[b.length - 1]);
            return;
        } else {
            int resumed = resume(b);
            if (resumed >= 0) {
                pos = passWritten(resumed);
                run = 1;
            } else {
                run = 0;
            }
        }
        afterBreak = opensWord(b);
    }

    /**
     * Whether the token leaves the text where a word may start without the source's space: after white space, an
     * opening bracket, or a quote mark that opens (after white space or another opener). After a closing quote or
     * bracket ("'wart'", "(LDAP)") the next word takes its space.
     */
    private boolean opensWord(byte[] b) {
        byte last = b[b.length - 1];
        if (isSpace(last) || "([{<".indexOf(last) >= 0) {
            return true;
        }
        if (last == '"' || last == '\'') {
            return b.length == 1 ? afterBreak : isSpace(b[b.length - 2]) || "([{<".indexOf(b[b.length - 2]) >= 0;
        }
        return false;
    }

    /**
     * The token starts a short sentence ahead (its first letter in either case): the aside begins; returns where the
     * cursor then stands, or -1.
     */
    private int takeAside(byte[] b) {
        int lead = leadingSpace(b);
        int start = asideStart();
        int end = lead == b.length || start < 0 ? -1 : source.match(b, lead, start, true);
        if (end >= 0) {
            returnTo = pos;
            asideStart = start;
            asideEnd = source.sentenceEnd(start);
            asideDepth = owed.length() - 1;
        }
        return end;
    }

    /** {@code at}, or past the aside written early that starts there (after the source's white space). */
    private int passWritten(int at) {
        int end = writtenEnd(at);
        if (end < 0) {
            end = writtenEnd(source.skipSpace(at));
        }
        return end < 0 ? at : end;
    }

    /** Where the source continues after {@code b[from..]} written at {@code at}, or -1 if it does not match there. */
    private int matchAt(byte[] b, int from, int at) {
        return source.match(b, from, at, false);
    }

    /** The source position after the token's word found a little further on (the text skipped some), or -1. */
    private int resume(byte[] b) {
        int lo = 0;
        int hi = b.length;
        while (lo < hi && isSpace(b[lo])) {
            lo++;
        }
        while (hi > lo && isSpace(b[hi - 1])) {
            hi--;
        }
        if (hi - lo < RESYNC_MIN_BYTES) {
            return -1;
        }
        return source.findAhead(Arrays.copyOfRange(b, lo, hi), pos, RESYNC_WINDOW);
    }


}
