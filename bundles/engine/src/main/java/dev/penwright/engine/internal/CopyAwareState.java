package dev.penwright.engine.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import dev.penwright.api.style.StyleVocabulary;

/**
 * One row's copy-aware decoding state, advanced token by token: where the text so far matches the plan (for the
 * plan-copy bias, and for a caller that wants the plan's continuation after the match, as plan-lookup speculative
 * decoding does), the word being written (for the fact guard), and which plan content words the text already holds
 * (for the coverage-gated end). The immutable part shared by copies lives in {@link CopyPlan}.
 *
 * <p>Words are {@link StyleVocabulary#units(String) units}; the text is followed as the tokens' bytes
 * ({@link TokenTexts}), so a Han character split over two byte-level tokens is judged by the characters it can still
 * become.
 */
public final class CopyAwareState {
    /** The end is allowed anyway once the text has this many times the plan's tokens. */
    public static final int END_CAP_FACTOR = 2;
    /**
     * Tokens in a row the text may write without writing source text (layout, marks, form words); then only the
     * source's next bytes, or past the source the end. The zh model, at a blank line the copy source holds, wrote "  -" list marks a line each
     * until the length cap (zh-fortunes-00247); a signature's line break, indentation, dash and space take five.
     */
    static final int MAX_STALL = 8;

    private final CopyPlan plan;
    private final PlanCursor cursor;
    /** match[j]: the length of the longest suffix of the text equal to plan[j - m, j), for j in 0..P. */
    private final int[] match;
    private int generated;
    /** The word unit being written (letters, digits), empty between words. */
    private final StringBuilder word;
    /** Bytes of a character not yet complete. */
    private byte[] pending = new byte[0];
    /** The last characters of the text, as many as a stop string could need. */
    private String tail = "";
    private final Set<String> covered;
    /**
     * Whether the last token was a form word the text inserted (not copied): its punctuation ("n.") is the model's to
     * write, and it stays a word of its own.
     */
    private boolean afterFormWord;
    /**
     * Whether the text ends with a form word it inserted and the punctuation after it, with no white space yet: a word
     * may not follow directly ("1.The").
     */
    private boolean formTail;
    /** The last sense number the text inserted (0: none): numbered senses count up from 1. */
    private int lastNumber;
    /** Whether the text has not broken a line yet. */
    private boolean firstLine = true;
    /** Tokens written since the text last wrote source text. */
    private int stalled;

    public CopyAwareState(CopyPlan plan) {
        this.plan = plan;
        this.cursor = new PlanCursor(plan.source);
        this.match = new int[plan.planIds.length + 1];
        this.word = new StringBuilder();
        this.covered = new HashSet<>();
    }

    private CopyAwareState(CopyAwareState o) {
        this.plan = o.plan;
        this.cursor = o.cursor.copy();
        this.match = o.match.clone();
        this.generated = o.generated;
        this.word = new StringBuilder(o.word);
        this.pending = o.pending;
        this.tail = o.tail;
        this.covered = new HashSet<>(o.covered);
        this.afterFormWord = o.afterFormWord;
        this.formTail = o.formTail;
        this.lastNumber = o.lastNumber;
        this.firstLine = o.firstLine;
        this.stalled = o.stalled;
    }

    /**
     * Continues the text the prompt ends with when its last token is text (not a special token closing a template):
     * a later section of a long draft. The cursor then takes the source's separator before its first word, and the
     * text is past its first line (no first-line form word such as "n." there).
     */
    public void continueAfter(int promptToken) {
        byte[] b = plan.texts.bytes(promptToken);
        if (b.length == 0 || plan.texts.isSpecial(promptToken)) {
            return;
        }
        cursor.continueAfter(b);
        firstLine = false;
    }

    /** An independent copy (to try tokens ahead, as speculative verification does, without touching this one). */
    public CopyAwareState copy() {
        return new CopyAwareState(this);
    }

    public CopyPlan plan() {
        return plan;
    }

    /** Tokens advanced so far. */
    public int generated() {
        return generated;
    }

    /** Takes the row's next token. */
    public void advance(int token) {
        generated++;
        for (int j = plan.planIds.length; j >= 1; j--) {
            match[j] = plan.planIds[j - 1] == token ? match[j - 1] + 1 : 0;
        }
        if (plan.eos.contains(token)) {
            closeWord();
            return;
        }
        byte[] b = plan.texts.bytes(token);
        if (b.length == 0) {
            return;
        }
        int before = cursor.position();
        cursor.advance(b);
        // Progress is source text written: a list mark steps the cursor back a space and a line break passes it
        // again, so a change of position alone would let "\n  -" repeat for ever.
        stalled = cursor.position() > before && plan.texts.hasNonSpace(token) ? 0 : stalled + 1;
        boolean inserted = plan.formTokens.contains(token) && cursor.run() == 0;
        if (inserted && plan.formNumbers.containsKey(token)) {
            lastNumber = plan.formNumbers.get(token);
        }
        formTail = inserted || formTail && !plan.texts.hasWordByte(token) && !hasSpace(b);
        afterFormWord = inserted;
        for (byte x : b) {
            firstLine &= x != '\n';
        }
        StringBuilder added = new StringBuilder();
        pending = Utf8.feed(pending, b, added);
        added.codePoints().forEach(this::take);
        if (plan.longestStop > 0) {
            String t = tail + added;
            tail = t.substring(Math.max(0, t.length() - plan.longestStop));
        }
    }

    private void take(int cp) {
        if (StyleVocabulary.isHan(cp)) {
            closeWord();
            String han = new String(Character.toChars(cp));
            if (plan.contentWords.contains(han)) {
                covered.add(han);
            }
        } else if (StyleVocabulary.isWordChar(cp)) {
            word.appendCodePoint(cp);
        } else {
            closeWord();
        }
    }

    private void closeWord() {
        if (!word.isEmpty()) {
            String lower = word.toString().toLowerCase(Locale.ROOT);
            if (plan.contentWords.contains(lower)) {
                covered.add(lower);
            }
            word.setLength(0);
        }
    }

    /** The length of the longest current match of the text's end in the plan (0: none). */
    public int longestMatch() {
        int best = 0;
        for (int j = 1; j < match.length; j++) {
            best = Math.max(best, match[j]);
        }
        return best;
    }

    /**
     * The copy source's tokens from the cursor when it stands at a token's start, else the plan's tokens that follow
     * the longest current match (the first such occurrence); at most {@code max}; empty when there are none.
     */
    public int[] continuation(int max) {
        int[] next = cursor.continuation(max);
        if (next.length > 0) {
            return next;
        }
        int bestJ = -1;
        int best = 0;
        for (int j = 1; j < plan.planIds.length; j++) {
            if (match[j] > best) {
                best = match[j];
                bestJ = j;
            }
        }
        if (bestJ < 0) {
            return new int[0];
        }
        return Arrays.copyOfRange(plan.planIds, bestJ, Math.min(plan.planIds.length, bestJ + Math.max(0, max)));
    }

    /**
     * Applies the plan-copy bias to one row's scores, as a pointer: the plan says what is written, the model how. The
     * share {@code 1 - e^-copyBias} of the probability the model gives to words other than the copy source's next
     * one (at the cursor) moves to that one (the source's own token when the cursor is at one, else every token that
     * writes the source's next bytes, by the model's odds); white space, punctuation, markup and the style's form words
     * keep the model's odds, so the model still decides where a line breaks, a list item starts, a bracket opens or a
     * sense is numbered, against the odds it gives to going on with a word. The end of text counts as a word until the
     * whole source is written (but keeps its odds before the source's closing full stop, which a text may end
     * without); then the moved share goes to it.
     */
    public void addCopyBias(double[] scores) {
        if (plan.copyBias <= 0) {
            return;
        }
        boolean[] word = plan.texts.wordTokens();
        // A draft that kept its own form word in this sentence ("/ku'dr/, vt.") gets no second one before it.
        boolean formFree = !cursor.sentenceAheadHolds(plan.formWordStarts);
        if (formFree && firstLine && !cursor.done()) {
            plan.weighOpeners(scores, cursor.nextUnit(), this::inTurn);
        }
        Set<Integer> targets;
        if (cursor.done()) {
            targets = plan.eos;
        } else {
            int canonical = cursor.canonical();
            targets = canonical >= 0 ? Set.of(canonical) : cursor.proposals();
            Set<Integer> asides = cursor.asideProposals();
            if (!asides.isEmpty()) {
                // A bracket the text just opened may hold the draft's aside, put back where it stood.
                targets = union(targets, asides);
            }
            Set<Integer> items = cursor.itemProposals();
            if (!items.isEmpty()) {
                // A list written back as items has no "and" before its last one: that is the draft's prose.
                targets = items;
            }
            if (plan.signsOff && cursor.afterSentenceBeforeSignature() && cursor.atBoundary()
                    && best(scores, plan.texts.lineBreakTokens()) > best(scores, targets)) {
                // A style that signs off puts its signature on a line of its own: before the draft's last sentence,
                // a line break the model prefers to the sentence's first word is a target beside it.
                targets = union(targets, plan.texts.lineBreakTokens());
            }
            double dash = best(scores, plan.texts.attributionDashTokens());
            if (plan.signsOff && cursor.atSignOff() && dash > best(scores, targets)) {
                // On a line of its own before the draft's last sentence, a signature's dash the model prefers to the
                // sentence's first word makes the style's dash a target beside it: the other words' mass does not
                // push the model past its own sign-off (an opinion-less model does not sign). Whether to sign is the
                // model's call, with which dash the style's: its dash takes the odds of the one the model prefers.
                if (plan.signOffDashFixed) {
                    for (int t : plan.signOffDashTokens) {
                        scores[t] = Math.max(scores[t], dash);
                    }
                }
                targets = union(targets, plan.signOffDashTokens);
            }
            if (plan.signsOff && cursor.signed() && cursor.onlyStopLeft()) {
                // A signature line ends without the full stop the neutraliser gave the attribution.
                targets = plan.eos;
            }
            char closer = cursor.owedCloser();
            if (closer != 0 && cursor.atBoundary() && !cursor.asideOpen()) {
                // A bracket the text opened is closed where the model would close it, against the source's next word.
                targets = union(targets, plan.texts.startingWith((byte) closer));
            } else if (cursor.termEndsHere()) {
                // A marked-up term ends before the punctuation after it: its closer, not the punctuation, comes next.
                targets = new HashSet<>(plan.texts.startingWith((byte) closer));
            }
        }
        // Inside a word or before punctuation nothing but the source fits: a line break there splits the word.
        boolean inside = !cursor.done() && !cursor.atBoundary();
        // A line break may stand for a draft's CJK full stop (a heading, an attribution): there layout keeps its odds.
        boolean stopMayBreak = inside && cursor.atDroppableStop();
        Set<Integer> lineBreaks = plan.texts.lineBreakTokens();
        // Only the draft's closing full stop left: the end keeps its odds (an attribution or a heading ends without).
        boolean endMayCome = cursor.onlyStopLeft();
        // Where a draft's first sentence ends, a style may label what it has written ("ABATIS" + ", n."): the
        // style's form words, and a comma or semicolon before one, keep the model's odds there.
        boolean labelHere = formFree && firstLine && !plan.formTokens.isEmpty() && cursor.atSentencePunct();
        // A dash starts a list item or an attribution at a line's start; inside a line it joins words (content).
        boolean midLine = !cursor.atLineStart();
        Set<Integer> dashes = plan.texts.dashTokens();
        double max = Double.NEGATIVE_INFINITY;
        for (double v : scores) {
            max = Math.max(max, v);
        }
        double moved = 0;
        double targetMass = 0;
        double keep = Math.exp(-plan.copyBias);
        for (int i = 0; i < scores.length; i++) {
            double p = Math.exp(scores[i] - max);
            if (targets.contains(i)) {
                targetMass += p;
            } else if (labelHere && (labelPunctuation(i) || plan.formTokens.contains(i) && inTurn(i))) {
                continue;
            } else if (stopMayBreak && lineBreaks.contains(i) || endMayCome && plan.eos.contains(i)) {
                continue;
            } else if (((i < word.length && word[i]) && (inside || !keepsOdds(i, formFree)))
                    || plan.eos.contains(i) || inside || (midLine && dashes.contains(i))) {
                // Ending before the source is written drops what is left of it: the end is moved like a word.
                moved += p * (1 - keep);
                scores[i] += -plan.copyBias;
            }
        }
        if (targets.isEmpty() || moved <= 0) {
            return;
        }
        int n = 0;
        for (int t : targets) {
            if (t >= 0 && t < scores.length && !plan.texts.isSpecial(t) || plan.eos.contains(t)) {
                n++;
            }
        }
        for (int t : targets) {
            if (t < 0 || t >= scores.length || (plan.texts.isSpecial(t) && !plan.eos.contains(t))) {
                continue;
            }
            double p = Math.exp(scores[t] - max);
            double share = targetMass > 0 ? p / targetMass : 1.0 / n;
            scores[t] = max + Math.log(p + moved * share);
        }
    }

    private static Set<Integer> union(Set<Integer> targets, java.util.Collection<Integer> more) {
        Set<Integer> all = new java.util.HashSet<>(targets);
        all.addAll(more);
        return all;
    }

    private static double best(double[] scores, Set<Integer> tokens) {
        double best = Double.NEGATIVE_INFINITY;
        for (int t : tokens) {
            if (t >= 0 && t < scores.length) {
                best = Math.max(best, scores[t]);
            }
        }
        return best;
    }

    /** Whether the guard or the end gate have anything to check (else every token is allowed). */
    public boolean restricts() {
        return plan.factGuard || plan.minCoverage > 0;
    }

    /** The fraction of the plan's content words the text holds, with the word being written (1 with none). */
    public double coverage() {
        if (plan.contentWords.isEmpty()) {
            return 1.0;
        }
        int n = covered.size();
        if (!word.isEmpty()) {
            String lower = word.toString().toLowerCase(Locale.ROOT);
            if (plan.contentWords.contains(lower) && !covered.contains(lower)) {
                n++;
            }
        }
        return n / (double) plan.contentWords.size();
    }

    /**
     * A form word where the style puts its marks (the first line, a line's start: a headword's "n.", a sense's "2."),
     * unless the draft holds one of its own ahead in this sentence, and a sense number only in turn; or the
     * punctuation after one the text inserted: the model's odds stand.
     */
    private boolean keepsOdds(int token, boolean formFree) {
        return formFree && plan.formTokens.contains(token) && (firstLine || cursor.atLineStart()) && inTurn(token)
                || afterFormWord && !plan.texts.hasWordByte(token);
    }

    /** Whether a form token is not a sense number, or the next one ("2" only after "1"). */
    private boolean inTurn(int token) {
        Integer n = plan.formNumbers.get(token);
        return n == null || n == lastNumber + 1;
    }

    /** A comma or semicolon alone (with white space around it at most): what sets a label off after a headword. */
    private boolean labelPunctuation(int token) {
        byte[] b = plan.texts.bytes(token);
        int marks = 0;
        for (byte x : b) {
            if (x == ',' || x == ';') {
                marks++;
            } else if (!CopySource.isSpace(x)) {
                return false;
            }
        }
        return marks == 1;
    }

    private static boolean hasSpace(byte[] b) {
        for (byte x : b) {
            if (CopySource.isSpace(x)) {
                return true;
            }
        }
        return false;
    }

    private static boolean closes(byte[] b, char closer) {
        for (byte x : b) {
            if (x == closer) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithWordByte(byte[] b) {
        return b.length > 0 && CopySource.isWordByte(b[0]);
    }

    /**
     * Whether the text may end now: coverage reached, the whole copy source written, or the length cap. A section of
     * a long draft copies only its part of the plan in its prompt: once that part is written there is nothing left
     * to hold the end for (a last section of a signature alone, 14 of the plan's 21 content words, wrote stray marks
     * until the cap).
     */
    public boolean mayEnd() {
        return plan.minCoverage <= 0 || plan.contentWords.isEmpty() || cursor.done()
                || generated >= END_CAP_FACTOR * plan.planIds.length
                || coverage() + 1e-9 >= plan.minCoverage;
    }

    /**
     * Whether {@code token} may come next: the end of text (and a token that completes a stop string) only when
     * {@link #mayEnd()}; with the fact guard, no token that writes a guarded word the plan and the vocabulary lack
     * (a word being written must stay a prefix of an allowed one, and be one when it ends), nor one whose bytes
     * break a character.
     */
    public boolean allows(int token) {
        boolean ends = plan.eos.contains(token);
        if (ends) {
            if (!mayEnd()) {
                return false;
            }
            return !plan.factGuard || wordMayEnd(word.toString());
        }
        byte[] b = plan.texts.bytes(token);
        if (b.length == 0) {
            return true;
        }
        StringBuilder added = new StringBuilder();
        byte[] rest = Utf8.feed(pending, b, added);
        if (plan.longestStop > 0 && !mayEnd()) {
            String t = tail + added;
            for (String s : plan.stops) {
                if (t.contains(s)) {
                    return false;
                }
            }
        }
        if (plan.copyBias > 0 && cursor.inVerbatim() && !cursor.copiesExactly(b)) {
            // A verbatim block (a shell session) is written as it stands: its line breaks and spaces are content.
            return false;
        }
        if (plan.copyBias > 0 && cursor.asideOpen() && closes(b, cursor.owedCloser())) {
            return false;
        }
        if (plan.copyBias > 0 && stalled >= MAX_STALL && (cursor.done() || !cursor.writesSource(b))) {
            // Past the source, the end is what is left to write.
            return false;
        }
        if (plan.copyBias > 0 && plan.signsOff && cursor.atSignOff() && cursor.writesAttributionDash(b)
                && !plan.signOffDashTokens.contains(token)) {
            // A style signs with its own dash: "—" where its signatures have "--" reads as another hand.
            return false;
        }
        if (plan.copyBias > 0 && (cursor.itemMarkMisplaced(b) || cursor.attributionMisplaced(b)
                || cursor.bracesFunctionWord(b) || cursor.splitsSentence(b) || cursor.closesEmpty(b)
                || cursor.opensBracketWithoutAside(b) || cursor.runsTermPastPunctuation(b)
                || cursor.skipsInsideQuotation(b))) {
            return false;
        }
        if (plan.copyBias > 0 && cursor.done() && plan.texts.hasWordByte(token) && mayEnd()) {
            // The whole source is written: a word now says what the plan does not ("1", "[common]" after the end).
            return false;
        }
        if ((formTail || cursor.justClosedAside() || cursor.justMarkedItem()) && startsWithWordByte(b)) {
            // "n" then "From" would make "nFrom": a form word the text inserted ends where it is.
            return false;
        }
        if (!plan.factGuard) {
            return true;
        }
        if (plan.copyBias > 0 && cursor.closesUnopened(b)) {
            return false;
        }
        if (added.indexOf("\uFFFD") >= 0) {
            // Bytes that break a character (a byte token after an unfinished one) decode as U+FFFD: the text would
            // show garbage, and the character the bytes started was never judged.
            return false;
        }
        StringBuilder w = new StringBuilder(word);
        for (int i = 0; i < added.length(); ) {
            int cp = added.codePointAt(i);
            i += Character.charCount(cp);
            if (StyleVocabulary.isHan(cp)) {
                if (!wordMayEnd(w.toString()) || !plan.allowedHan.contains(cp)) {
                    return false;
                }
                w.setLength(0);
            } else if (StyleVocabulary.isWordChar(cp)) {
                w.appendCodePoint(cp);
                String s = w.toString();
                if (StyleVocabulary.isGuarded(s) && !plan.isAllowedPrefix(s)) {
                    return false;
                }
            } else {
                if (!wordMayEnd(w.toString())) {
                    return false;
                }
                w.setLength(0);
            }
        }
        return rest.length == 0 || plan.completable(rest, rest.length);
    }

    private boolean wordMayEnd(String w) {
        return w.isEmpty() || !StyleVocabulary.isGuarded(w) || plan.isAllowedWord(w);
    }

}
