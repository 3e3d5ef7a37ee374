package dev.penwright.engine.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The copy source: its bytes, and at each byte offset the index of the source token starting there (or -1). */
final class CopySource {
    /** The longest sentence (bytes) taken as an aside: a longer one is content in its own right. */
    static final int ASIDE_MAX_BYTES = 160;
    /** The longest sentence (bytes) taken as a label before a sentence the text has not begun. */
    static final int LABEL_MAX_BYTES = 40;
    final int[] ids;
    final byte[] bytes;
    final int[] tokenAt;
    final TokenTrie trie;
    private final TokenTexts texts;
    /** Offsets where a sentence starts after another's closing punctuation and white space. */
    final int[] sentenceStarts;
    /** Where the source's last sentence starts (past white space): where a text signs off ("-- Li Bai"). */
    final int lastSentenceStart;
    /**
     * At each byte offset, whether a line may break before it by the JDK's line-break rules (Unicode's UAX #14 in
     * the main): between CJK characters, before an opening bracket or quote, after a closing full stop. Where the
     * source has no white space, these are the places a styled text may still put a line break.
     */
    private final boolean[] breakBefore;
    /** Where the source's content ends: before its closing full stop(s) and white space. */
    final int contentEnd;
    /** verbatim[i]: whether byte i lies in a range copied as it stands (a plan's verbatim block). */
    private final boolean[] verbatim;

    CopySource(int[] ids, TokenTexts texts) {
        this(ids, texts, false);
    }

    /**
     * @param signsOff whether the style signs its texts off: the draft's last sentence is then its signature, never an
     *                 aside to put in brackets (the zh model, held from closing an empty bracket, took the signature
     *                 "Osamu Aoki (青木修), Debian 参考手册…" into one and ran off the draft)
     */
    CopySource(int[] ids, TokenTexts texts, boolean signsOff) {
        this(ids, texts, signsOff, new int[0]);
    }

    /**
     * @param verbatim byte ranges of the source, as {@code [start, end)} pairs, that are copied as they stand, white
     *                 space included: a plan's verbatim blocks (a shell session's lines and spacing are its content)
     */
    CopySource(int[] ids, TokenTexts texts, boolean signsOff, int[] verbatim) {
        this.signsOff = signsOff;
        this.ids = ids.clone();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] starts = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            starts[i] = out.size();
            byte[] b = texts.bytes(ids[i]);
            out.write(b, 0, b.length);
        }
        this.bytes = out.toByteArray();
        this.tokenAt = new int[bytes.length + 1];
        Arrays.fill(tokenAt, -1);
        for (int i = ids.length - 1; i >= 0; i--) {
            tokenAt[starts[i]] = i;
        }
        this.trie = texts.trie();
        this.texts = texts;
        List<Integer> starts2 = new ArrayList<>();
        for (int i = 1; i < bytes.length; i++) {
            if (isSpace(bytes[i - 1]) && !isSpace(bytes[i]) && endsSentence(bytes, i - 1)) {
                starts2.add(i);
            }
        }
        this.sentenceStarts = starts2.stream().mapToInt(Integer::intValue).toArray();
        this.contentEnd = contentEnd(bytes);
        this.lastSentenceStart = lastSentenceStart(bytes, contentEnd);
        this.breakBefore = lineBreaks(bytes);
        this.verbatim = new boolean[bytes.length + 1];
        for (int i = 0; i + 1 < verbatim.length; i += 2) {
            Arrays.fill(this.verbatim, Math.max(0, verbatim[i]), Math.min(bytes.length, verbatim[i + 1]), true);
        }
        this.quoted = quoted(bytes);
    }

    /** Whether the byte at {@code pos} is to be copied as it stands, white space included. */
    boolean verbatimAt(int pos) {
        return pos >= 0 && pos < bytes.length && verbatim[pos];
    }

    /** Whether the style signs off: the last sentence is no aside. */
    private final boolean signsOff;

    /** quoted[i]: whether byte i lies between a straight double quote and its closing one. */
    private final boolean[] quoted;

    private static boolean[] quoted(byte[] b) {
        boolean[] q = new boolean[b.length + 1];
        boolean open = false;
        for (int i = 0; i < b.length; i++) {
            q[i] = open && b[i] != '"';
            if (b[i] == '"') {
                open = !open;
            }
        }
        return q;
    }

    /** Whether {@code pos} lies inside a quotation of the source (between its straight double quotes). */
    boolean insideQuotation(int pos) {
        return pos >= 0 && pos < quoted.length && quoted[pos];
    }

    /** Where the content of {@code b} ends: before its closing full stops (ASCII or CJK) and white space. */
    private static int contentEnd(byte[] b) {
        int end = b.length;
        while (end > 0) {
            if (isSpace(b[end - 1]) || isSentencePunct(b[end - 1])) {
                end--;
            } else if (isCjkSentenceEnd(b, end)) {
                end -= 3;
            } else {
                break;
            }
        }
        return end;
    }

    /** The line-break opportunities of UTF-8 text, by byte offset (see {@link #breakBefore}). */
    private static boolean[] lineBreaks(byte[] b) {
        // Decode by hand to keep each character's byte offset (a byte that starts no valid character stands alone).
        StringBuilder text = new StringBuilder();
        int[] offsetOfChar = new int[b.length + 1];
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xff;
            int n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            boolean whole = n > 1 && i + n <= b.length;
            for (int k = 1; whole && k < n; k++) {
                whole = (b[i + k] & 0xC0) == 0x80;
            }
            int cp = n == 1 ? lead : whole ? new String(b, i, n, java.nio.charset.StandardCharsets.UTF_8).codePointAt(0)
                    : 0xFFFD;
            int step = n == 1 || whole ? n : 1;
            for (char c : Character.toChars(cp)) {
                offsetOfChar[text.length()] = i;
                text.append(c);
            }
            i += step;
        }
        offsetOfChar[text.length()] = b.length;
        boolean[] out = new boolean[b.length + 1];
        java.text.BreakIterator lines = java.text.BreakIterator.getLineInstance(java.util.Locale.ROOT);
        lines.setText(text.toString());
        for (int at = lines.first(); at != java.text.BreakIterator.DONE; at = lines.next()) {
            out[offsetOfChar[at]] = true;
        }
        return out;
    }

    /** Whether a line may break before the byte at {@code pos} (see {@link #breakBefore}). */
    boolean breaksBefore(int pos) {
        return pos >= 0 && pos < breakBefore.length && breakBefore[pos];
    }

    /**
     * Whether the bytes at {@code pos} are a CJK full stop ("。", "！", "？") after which a line may break. A draft
     * closes its headings and attributions so; a styled text may break the line there instead.
     */
    boolean cjkStopAt(int pos) {
        return pos + 3 <= bytes.length && isCjkSentenceEnd(bytes, pos + 3)
                && (pos + 3 == bytes.length || isSpace(bytes[pos + 3]) || breaksBefore(pos + 3));
    }

    /**
     * Whether a paragraph may break before {@code pos}: at the source's start or end, where the source itself breaks a
     * line, or after a sentence's or a clause's closing punctuation ("." "!" "?" ":" ";" and their CJK forms, "…"),
     * closing quotes and brackets passed. Anywhere else a blank line would cut a sentence in two.
     */
    boolean paragraphMayBreakAt(int pos) {
        int i = Math.min(pos, bytes.length);
        while (i > 0 && isSpace(bytes[i - 1])) {
            if (bytes[--i] == '\n') {
                return true;
            }
        }
        for (int j = pos; j < bytes.length && isSpace(bytes[j]); j++) {
            if (bytes[j] == '\n') {
                return true;
            }
        }
        while (i > 0 && (CLOSERS.indexOf(bytes[i - 1]) >= 0
                || CJK_CLOSERS.indexOf(threeByteCharBefore(bytes, i)) >= 0)) {
            i -= bytes[i - 1] >= 0 ? 1 : 3; // an ASCII closer is one byte, a CJK one three
        }
        return i == 0 || i >= bytes.length || CLAUSE_ENDS.indexOf(bytes[i - 1]) >= 0 && !isInitial(bytes, i - 1)
                || CJK_CLAUSE_ENDS.indexOf(threeByteCharBefore(bytes, i)) >= 0;
    }

    private static final String CLOSERS = "\"')]}";
    private static final String CJK_CLOSERS = "）」』”’》】";
    private static final String CLAUSE_ENDS = ".!?:;";

    /**
     * The start of the last sentence: after the last sentence end (ASCII or CJK), or blank line, before the content's
     * end. A blank line ends what stands before it: a verbatim block has no full stop, and the signature after it is a
     * sentence of its own.
     */
    private static int lastSentenceStart(byte[] b, int end) {
        for (int i = end; i > 0; i--) {
            if (closesSentence(b, i - 1) && i < b.length && isSpace(b[i]) || i >= 3 && isCjkSentenceEnd(b, i)
                    || i >= 2 && b[i - 1] == '\n' && b[i - 2] == '\n') {
                int start = i;
                while (start < b.length && isSpace(b[start])) {
                    start++;
                }
                return start;
            }
        }
        return 0;
    }

    /** Whether the character before {@code i} is a CJK sentence end: "。", "！" or "？". */
    private static boolean isCjkSentenceEnd(byte[] b, int i) {
        return CJK_SENTENCE_ENDS.indexOf(threeByteCharBefore(b, i)) >= 0;
    }

    /** The character whose three UTF-8 bytes end at {@code i} (CJK punctuation is three bytes), or -1. */
    private static int threeByteCharBefore(byte[] b, int i) {
        if (i < 3 || (b[i - 3] & 0xF0) != 0xE0) {
            return -1;
        }
        return ((b[i - 3] & 0x0F) << 12) | ((b[i - 2] & 0x3F) << 6) | (b[i - 1] & 0x3F);
    }

    private static final String CJK_SENTENCE_ENDS = "。！？";
    private static final String CJK_CLAUSE_ENDS = CJK_SENTENCE_ENDS + "：；…";

    /** Whether a token is an attribution dash alone ("--", "—", "——"), white space around it at most. */
    static boolean isAttributionDash(byte[] b) {
        return ATTRIBUTION_DASH.matcher(new String(b, java.nio.charset.StandardCharsets.UTF_8).strip()).matches();
    }

    private static final java.util.regex.Pattern ATTRIBUTION_DASH =
            java.util.regex.Pattern.compile("-{2,3}|[—―]{1,2}");

    /** Where the sentence starting at {@code start} ends: the offset of its closing punctuation, or the end. */
    int sentenceEnd(int start) {
        for (int i = start; i < bytes.length; i++) {
            if (closesSentence(bytes, i) && (i + 1 == bytes.length || isSpace(bytes[i + 1]))) {
                return i;
            }
        }
        return bytes.length;
    }

    /** Whether the white space at {@code space} follows a sentence's closing punctuation. */
    private static boolean endsSentence(byte[] b, int space) {
        int i = space;
        while (i > 0 && isSpace(b[i - 1])) {
            i--;
        }
        return i > 0 && closesSentence(b, i - 1);
    }

    /** Whether the byte at {@code i} is a sentence's closing punctuation (ASCII), not a name's initial's full stop. */
    private static boolean closesSentence(byte[] b, int i) {
        return isSentencePunct(b[i]) && !isInitial(b, i);
    }

    /** Whether the full stop at {@code dot} closes a name's initial ("Eric S. Raymond"), not a sentence. */
    static boolean isInitial(byte[] b, int dot) {
        return b[dot] == '.' && dot >= 1 && b[dot - 1] >= 'A' && b[dot - 1] <= 'Z'
                && (dot == 1 || isSpace(b[dot - 2]) || b[dot - 2] == '.');
    }

    /**
     * The start of the sentence after the one {@code pos} is in (passing those {@code written} already), if it is
     * short enough to be an aside, else -1: a neutral draft puts an aside right after the sentence it stood in. An
     * aside stood inside a sentence the text has begun; before a sentence only a label does ("[Unix]", "(obs.)"), so
     * there the sentence is taken only if it is as short as a label.
     */
    int asideAfter(int pos, java.util.function.IntPredicate written) {
        int current = 0;
        for (int start : sentenceStarts) {
            if (start <= pos) {
                current = start;
            }
        }
        boolean begun = false;
        for (int i = current; i < pos && !begun; i++) {
            begun = isWordByte(bytes[i]);
        }
        int longest = begun ? ASIDE_MAX_BYTES : LABEL_MAX_BYTES;
        for (int start : sentenceStarts) {
            if (start <= pos || written.test(start)) {
                continue;
            }
            if (signsOff && start == lastSentenceStart) {
                return -1;
            }
            return sentenceEnd(start) - start <= longest ? start : -1;
        }
        return -1;
    }

    /**
     * Where the source continues after {@code b[from..]} written at {@code at}, or -1 if it does not match there; with
     * {@code foldFirst}, the first letter may be written in lower case where the source has it capitalised (an
     * aside's "Hopefully" written "(hopefully").
     */
    int match(byte[] b, int from, int at, boolean foldFirst) {
        int n = b.length - from;
        if (at + n > bytes.length) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            byte x = b[from + i];
            byte y = bytes[at + i];
            if (x != y && !(foldFirst && i == 0 && y >= 'A' && y <= 'Z' && x == y + ('a' - 'A'))) {
                return -1;
            }
        }
        return at + n;
    }

    /**
     * Where the source's whole words from {@code words} start (compared in lower case), in order: a style's form
     * words the draft kept where they stand ("/ku'dr/, vt.").
     */
    int[] wordStarts(java.util.Set<String> words) {
        if (words.isEmpty()) {
            return new int[0];
        }
        List<Integer> found = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            if (!isWordByte(bytes[i])) {
                i++;
                continue;
            }
            int start = i;
            while (i < bytes.length && isWordByte(bytes[i])) {
                i++;
            }
            String w = new String(bytes, start, i - start, java.nio.charset.StandardCharsets.UTF_8);
            if (words.contains(w.toLowerCase(java.util.Locale.ROOT))) {
                found.add(start);
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The source's next word from {@code pos} (a unit, past white space and a few punctuation bytes), or "". */
    String nextUnit(int pos) {
        int at = pos;
        while (at < bytes.length && at - pos < 8 && !isWordByte(bytes[at])) {
            at++;
        }
        int end = at;
        while (end < bytes.length && end - at < 64 && isWordByte(bytes[end])) {
            end++;
        }
        List<String> units = dev.penwright.api.style.StyleVocabulary.units(
                new String(bytes, at, end - at, java.nio.charset.StandardCharsets.UTF_8));
        return units.isEmpty() ? "" : units.get(0);
    }

    /**
     * Whether one of {@code starts} (offsets, in order) lies at or after {@code pos} and no further than the end of the
     * sentence that goes on at {@code from}: the source still has such a word ahead in this sentence.
     */
    boolean holdsBeforeSentenceEnd(int[] starts, int from, int pos) {
        if (starts.length == 0) {
            return false;
        }
        int i = Arrays.binarySearch(starts, pos);
        int next = i >= 0 ? starts[i] : -i - 1 < starts.length ? starts[-i - 1] : Integer.MAX_VALUE;
        return next <= sentenceEnd(from);
    }

    /**
     * Where the source continues after {@code word} found within {@code window} bytes after {@code pos} (not inside
     * another word, unless it starts with punctuation), or -1.
     */
    int findAhead(byte[] word, int pos, int window) {
        int last = Math.min(bytes.length - word.length, pos + window);
        for (int at = pos + 1; at <= last; at++) {
            int end = match(word, 0, at, false);
            if (end >= 0 && (at == 0 || !isWordByte(bytes[at - 1]) || !isWordByte(word[0]))) {
                return end;
            }
        }
        return -1;
    }

    /**
     * Whether a list item may start at {@code pos}: at the start, or after the draft's item joiner, a lead-in's colon
     * or a sentence's end (ASCII or CJK), white space between. A line the text starts with a list mark elsewhere
     * would cut an item in two.
     */
    boolean atItemStart(int pos) {
        int i = Math.min(pos, bytes.length);
        while (i > 0 && isSpace(bytes[i - 1])) {
            i--;
        }
        if (i == 0) {
            return true;
        }
        byte last = bytes[i - 1];
        if (last == ';' || last == ':' || isSentencePunct(last)) {
            return true;
        }
        int cjk = threeByteCharBefore(bytes, i);
        return cjk == '；' || cjk == '：' || CJK_SENTENCE_ENDS.indexOf(cjk) >= 0;
    }

    /**
     * Where a list's last item goes on past the conjunction a draft put before it ("…; and X"): the offset of the
     * white space before X, or -1 when {@code pos} is not at such a conjunction.
     */
    int pastSeriesConjunction(int pos) {
        int from = skipSpace(pos);
        int back = from;
        while (back > 0 && isSpace(bytes[back - 1])) {
            back--;
        }
        if (back == 0 || bytes[back - 1] != ';') {
            return -1;
        }
        for (byte[] c : SERIES_CONJUNCTIONS) {
            int end = match(c, 0, from, false);
            if (end >= 0 && end < bytes.length && isSpace(bytes[end])) {
                return end;
            }
        }
        return -1;
    }

    private static final List<byte[]> SERIES_CONJUNCTIONS = List.of(
            "and".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            "or".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    /** The tokens that start the item past a series conjunction at {@code pos}, with its white space or without. */
    java.util.Set<Integer> tokensPastConjunction(int pos, boolean withSpace) {
        int at = pastSeriesConjunction(pos);
        if (at < 0) {
            return java.util.Set.of();
        }
        java.util.Set<Integer> out = new java.util.HashSet<>();
        trie.prefixesAt(bytes, withSpace ? at : skipSpace(at), out::add);
        // A token that also starts the conjunction (" a" of " and" and " amulecmd") would let the copy go on with it.
        java.util.Set<Integer> conjunction = new java.util.HashSet<>();
        trie.prefixesAt(bytes, withSpace ? pos : skipSpace(pos), conjunction::add);
        out.removeIf(t -> conjunction.contains(t) && leadingSpace(texts.bytes(t)) < texts.bytes(t).length);
        return out;
    }

    /** Where the source goes on after {@code b} written past a series conjunction at {@code pos}, or -1. */
    int matchPastConjunction(byte[] b, int pos) {
        int at = pastSeriesConjunction(pos);
        if (at < 0) {
            return -1;
        }
        int next = match(b, 0, at, false);
        return next >= 0 ? next : match(b, leadingSpace(b), skipSpace(at), false);
    }

    /** {@code at}, or the first offset after it that is not white space. */
    int skipSpace(int at) {
        while (at < bytes.length && isSpace(bytes[at])) {
            at++;
        }
        return at;
    }

    /** How many white-space bytes {@code b} starts with. */
    static int leadingSpace(byte[] b) {
        int lead = 0;
        while (lead < b.length && isSpace(b[lead])) {
            lead++;
        }
        return lead;
    }

    /** Whether a token is a list mark alone ("*", "-", "+", "•"), white space around it at most. */
    /** Whether an item's number starts at {@code at}: one to three digits, a full stop and a space ("2. EMBL"). */
    boolean numberedItemAt(int at) {
        int i = at;
        while (i < bytes.length && i - at < 3 && bytes[i] >= '0' && bytes[i] <= '9') {
            i++;
        }
        return i > at && i + 1 < bytes.length && bytes[i] == '.' && bytes[i + 1] == ' ';
    }

    static boolean isListMark(byte[] b) {
        String t = new String(b, java.nio.charset.StandardCharsets.UTF_8).strip();
        return t.length() == 1 && "*-+•".indexOf(t.charAt(0)) >= 0;
    }

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** A byte of what a text says: a word's, or sentence punctuation (where a sentence ends is content too). */
    static boolean isContentByte(byte b) {
        return isWordByte(b) || b == '.' || b == ',' || b == ';' || b == ':' || b == '!' || b == '?';
    }

    /** A sentence's closing punctuation (ASCII). */
    static boolean isSentencePunct(byte b) {
        return b == '.' || b == '!' || b == '?';
    }

    static boolean isWordByte(byte b) {
        return Character.isLetterOrDigit(b & 0xff) || (b & 0x80) != 0;
    }
}
