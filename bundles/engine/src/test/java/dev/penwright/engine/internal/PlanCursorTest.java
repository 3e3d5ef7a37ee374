package dev.penwright.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.FormOpeners;

/** The copy cursor on a small explicit vocabulary: what the plan-copy bias proposes, token by token. */
class PlanCursorTest {
    static final String[] VOCAB = {null, "the", " cat", " sat", "cat", "sat", "\n", " ", "{", "}", "c", "at", ".",
            " dog", "dog", "-", "n", "(", ")", "a", " A", "'", "1", "2", ",", " n", ";", " and", "*", "\""};
    static final int EOS = 0;
    static final TokenTexts TEXTS = TokenTexts.of(VOCAB);
    /** "the cat sat." as its tokens. */
    static final long[] SOURCE = {1, 2, 3, 12};

    static CopyAwareState state(double copyBias) {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), copyBias, false, 0.0);
        return new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), o, Set.of(EOS), TEXTS));
    }

    /** The copy state of {@code draft} (token ids of {@link #VOCAB}) with the copy bias the packs use. */
    static CopyAwareState copying(long... draft) {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        return new CopyAwareState(new CopyPlan(draft, null, List.of(), o, Set.of(EOS), TEXTS));
    }

    static CopyAwareState withFormWords(List<String> formWords) {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        return new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), formWords, o, Set.of(EOS), TEXTS));
    }

    /** Greedy decoding of the model whose logits {@code model} gives for the text so far, with the copy bias. */
    static String decode(CopyAwareState s, Function<String, double[]> model) {
        return decode(s, model, VOCAB);
    }

    static String decode(CopyAwareState s, Function<String, double[]> model, String[] vocab) {
        StringBuilder text = new StringBuilder();
        for (int step = 0; step < 40; step++) {
            double[] scores = biased(s, model.apply(text.toString()));
            for (int t = 0; t < scores.length; t++) {
                if (!s.allows(t)) {
                    scores[t] = Double.NEGATIVE_INFINITY;
                }
            }
            int next = argmax(scores);
            if (next == EOS) {
                return text.toString();
            }
            s.advance(next);
            text.append(vocab[next]);
        }
        return text + "<no end>";
    }

    static double[] biased(CopyAwareState s, double[] logits) {
        double[] scores = logits.clone();
        s.addCopyBias(scores);
        return scores;
    }

    static int argmax(double[] s) {
        int best = 0;
        for (int i = 1; i < s.length; i++) {
            if (s[i] > s[best]) {
                best = i;
            }
        }
        return best;
    }

    static double[] flat() {
        return new double[VOCAB.length];
    }

    /** A vocabulary of CJK text: characters, their full stop and title brackets, layout and an attribution dash. */
    static final String[] CJK = {null, "春", "晓", "。", "《", "》", "\n", "    ", "--", "风", "来", " 《", "\"", " 来",
            "—"};

    static CopyAwareState cjk(long... source) {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        return new CopyAwareState(new CopyPlan(source, null, List.of(), o, Set.of(EOS), TokenTexts.of(CJK)));
    }

    /** {@link #cjk} for a style that signs its texts off. */
    static CopyAwareState cjkSigning(long... source) {
        return cjkSigningWith("", source);
    }

    /** {@link #cjkSigning} for a style whose signatures take {@code dash} ("" for any). */
    static CopyAwareState cjkSigningWith(String dash, long... source) {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        return new CopyAwareState(new CopyPlan(source, null, List.of(), List.of(), FormOpeners.NONE, true, dash, o,
                Set.of(EOS), TokenTexts.of(CJK)));
    }

    @Test
    void theFactGuardLetsThroughWhatTheCopySourceAddsToThePlan() {
        // The copy source numbers the plan's list item ("1. the cat sat."): the number is the plan's, not the model's.
        GenerationOptions guarded = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, true, 0.0);
        long[] numbered = {22, 12, 7, 1, 2, 3, 12};
        CopyAwareState withSource = new CopyAwareState(new CopyPlan(SOURCE, numbered, List.of(), guarded,
                Set.of(EOS), TEXTS));
        assertTrue(withSource.allows(22));
        assertEquals("1. the cat sat.", decode(withSource, text -> flat()));
        CopyAwareState planOnly = new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), guarded, Set.of(EOS),
                TEXTS));
        assertFalse(planOnly.allows(22), "a number neither the plan nor its copy source holds");
    }

    @Test
    void aLaterSectionTakesTheSeparatorItsSourceHasAfterTheTextSoFar() {
        // A long draft's second section: its source " cat sat." continues a text the prompt ends with ("…the").
        // The model prefers the bare word; as at a text's start it was proposed, and "thecat" was written.
        Function<String, double[]> model = text -> {
            double[] l = new double[VOCAB.length];
            l[4] = 6; // "cat"
            l[2] = 1; // " cat"
            return l;
        };
        CopyAwareState fresh = copying(2, 3, 12);
        assertEquals("cat sat.", decode(fresh, model).strip());
        CopyAwareState continuing = copying(2, 3, 12);
        continuing.continueAfter(1); // the prompt's last token: "the"
        assertEquals(" cat sat.", decode(continuing, model));
        CopyAwareState afterTemplate = copying(2, 3, 12);
        afterTemplate.continueAfter(EOS); // a special token closes the template: the text starts here
        assertEquals("cat sat.", decode(afterTemplate, model).strip());
    }

    @Test
    void aSignatureTakesTheStylesOwnDashAndNoFullStop() {
        long[] draft = {9, 10, 3, 4, 1, 2, 5, 3}; // "风来。《春晓》。"
        Function<String, double[]> model = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("来。")) {
                l[cjkToken("\n")] = 5;
            } else if (text.endsWith("\n")) {
                l[cjkToken("—")] = 3; // the model would sign with an em dash
                l[cjkToken("--")] = 2;
            }
            return l;
        };
        assertEquals("风来。\n—《春晓》", decode(cjkSigningWith("", draft), model, CJK), "any dash: the model's");
        assertEquals("风来。\n--《春晓》", decode(cjkSigningWith("--", draft), model, CJK), "the style signs with '--'");
        Function<String, double[]> emDashOnly = text -> {
            double[] l = model.apply(text);
            l[cjkToken("--")] = 0;
            return l;
        };
        assertEquals("风来。\n--《春晓》", decode(cjkSigningWith("--", draft), emDashOnly, CJK),
                "the model would sign, only not with the style's dash: it signs with the style's");
    }

    @Test
    void aVerbatimBlockWithoutAFullStopIsNotPartOfTheSignature() {
        // "风来。" then a verbatim block "春晓" (no stop, between blank lines), then the signature "《春晓》。".
        long[] source = {9, 10, 3, 6, 6, 1, 2, 6, 6, 4, 1, 2, 5, 3};
        Function<String, double[]> model = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("\n")) {
                l[cjkToken("--")] = 1; // a mild wish to sign at every line's start
            }
            return l;
        };
        String signed = decode(cjkSigning(source), model, CJK);
        // (This vocabulary has no "\n\n" token: the blank lines come out as single line breaks.)
        assertTrue(signed.startsWith("风来。\n春晓\n--"), signed);
        assertTrue(signed.endsWith("《春晓》"), "signed, so no full stop: " + signed);
    }

    @Test
    void aStyleThatSignsOffBreaksTheLineBeforeTheLastSentenceWhereTheModelPrefersIt() {
        long[] draft = {9, 10, 3, 4, 1, 2, 5, 3};
        // Mildly: a line break at 1 against the signature's first character at 0 (and every other word's mass).
        Function<String, double[]> model = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("来。")) {
                l[cjkToken("\n")] = 1;
            } else if (text.endsWith("\n")) {
                l[cjkToken("--")] = 1;
            }
            return l;
        };
        assertEquals("风来。\n--《春晓》", decode(cjkSigning(draft), model, CJK), "signed: no full stop");
        assertEquals("风来。《春晓》。", decode(cjk(draft), model, CJK), "a style that does not sign off");
    }

    /** A token of {@link #CJK} by its text; "<end>" is the end of text. */
    static int cjkToken(String text) {
        for (int t = 1; t < CJK.length; t++) {
            if (CJK[t].equals(text)) {
                return t;
            }
        }
        return EOS;
    }

    /** The model's logits: {@code wants} (a token's text) gets 5 wherever the text so far ends with its key. */
    static Function<String, double[]> preferring(java.util.Map<String, String> wants) {
        return text -> {
            double[] l = new double[CJK.length];
            wants.forEach((after, token) -> {
                if (text.endsWith(after) && !text.isEmpty()) {
                    l[cjkToken(token)] = 5;
                }
            });
            return l;
        };
    }

    @Test
    void aCjkAttributionGoesOnALineOfItsOwnAndEndsWithoutTheDraftsFullStop() {
        // Draft "风来。《春晓》。": the model signs off on a line of its own, "--《春晓》", and ends there.
        long[] draft = {9, 10, 3, 4, 1, 2, 5, 3};
        assertEquals("风来。\n    --《春晓》", decode(cjk(draft), preferring(java.util.Map.of("来。", "\n", "\n",
                "    ", "    ", "--", "》", "<end>")), CJK));
        assertEquals("风来。《春晓》。", decode(cjk(draft), text -> new double[CJK.length], CJK),
                "a model with no opinion writes the draft, full stop and all");
    }

    @Test
    void onALineOfItsOwnBeforeTheLastSentenceADashTheModelMildlyPrefersSignsTheText() {
        long[] draft = {9, 10, 3, 4, 1, 2, 5, 3};
        Function<String, double[]> model = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("来。")) {
                l[cjkToken("\n")] = 5;
            } else if (text.endsWith("\n")) {
                l[cjkToken("--")] = 1; // a mild preference, against the source's word and every other word's mass
            }
            return l;
        };
        assertEquals("风来。\n--《春晓》", decode(cjkSigning(draft), model, CJK), "signed: no full stop");
        assertEquals("风来。\n《春晓》。", decode(cjk(draft), model, CJK), "a style that does not sign off");
        // After the dash the name may take a space the draft does not have, if the model writes one.
        Function<String, double[]> spaced = text -> {
            double[] l = model.apply(text);
            if (text.endsWith("--")) {
                l[cjkToken(" 《")] = 1;
            }
            return l;
        };
        assertEquals("风来。\n-- 《春晓》", decode(cjkSigning(draft), spaced, CJK));
        // Where the line does not stand before the last sentence, the same preference loses to the draft's word.
        long[] twoSentences = {9, 10, 3, 1, 2, 3, 4, 1, 2, 5, 3};
        Function<String, double[]> early = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("来。") && !text.contains("\n")) {
                l[cjkToken("\n")] = 5;
            } else if (text.endsWith("\n")) {
                l[cjkToken("--")] = 1;
            }
            return l;
        };
        assertEquals("风来。\n春晓。《春晓》。", decode(cjkSigning(twoSentences), early, CJK));
    }

    @Test
    void noDoubleQuoteTheDraftDoesNotHaveThere() {
        // Draft '风"风 来"。': a model that closes the quote early ('风"风"') would quote less than the draft does.
        long[] draft = {9, 12, 9, 13, 12, 3};
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, true, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(draft, null, List.of("风", "来"), o, Set.of(EOS),
                TokenTexts.of(CJK)));
        Function<String, double[]> model = text -> {
            double[] l = new double[CJK.length];
            if (text.endsWith("风\"风")) {
                l[cjkToken("\"")] = 9;
            }
            return l;
        };
        assertEquals("风\"风 来\"。", decode(s, model, CJK));
    }

    @Test
    void aLineBreakMayStandForTheFullStopADraftPutAfterAHeading() {
        // Draft "春晓。风来。": a heading "春晓" in the style ends its line without a full stop.
        long[] draft = {1, 2, 3, 9, 10, 3};
        assertEquals("春晓\n风来。", decode(cjk(draft), preferring(java.util.Map.of("晓", "\n")), CJK));
        CopyAwareState s = cjk(draft);
        s.advance(1);
        double[] l = new double[CJK.length];
        l[cjkToken("》")] = 5;
        assertEquals(2, argmax(biased(s, l)), "inside the heading nothing but its next character fits");
    }


    @Test
    void aModelWithNoOpinionWritesTheSourceAndEnds() {
        assertEquals("the cat sat.", decode(state(4), text -> flat()));
    }

    @Test
    void aModelThatPrefersAnotherWordStillWritesTheSource() {
        // The model wants " dog" everywhere (as an untrained styler wants its own words): the word's mass moves.
        assertEquals("the cat sat.", decode(state(4), text -> {
            double[] l = flat();
            l[13] = 3;
            l[14] = 3;
            return l;
        }));
    }

    @Test
    void theModelDecidesWhereALineBreaksBetweenWords() {
        String out = decode(state(4), text -> {
            double[] l = flat();
            if (text.equals("the")) {
                l[6] = 5;
            }
            return l;
        });
        assertEquals("the\ncat sat.", out);
    }

    @Test
    void aParagraphBreaksOnlyWhereASentenceEnds() {
        CopyAwareState s = copying(1, 2, 3, 12, 13, 12); // "the cat sat. dog."
        // The model wants a blank line after "the" and after "sat.": only the second is a paragraph's end.
        String out = decode(s, text -> {
            double[] l = flat();
            if (text.endsWith("the") || text.endsWith("the\n") || text.endsWith("sat.") || text.endsWith("sat.\n")) {
                l[6] = 5;
            }
            return l;
        });
        assertEquals("the\ncat sat.\n\ndog.", out);
    }

    @Test
    void aBracketCopiedFromTheSourceKeepsTheSpaceTheSourceHasAfterIt() {
        CopyAwareState s = copying(1, 7, 17, 2, 7, 18, 12); // "the ( cat )." as a quotation would hold it
        String out = decode(s, text -> {
            double[] l = flat();
            l[4] = 3; // "cat" without its space
            return l;
        });
        assertEquals("the ( cat ).", out);
    }

    @Test
    void aBracketTheTextOpensIsNotClosedEmpty() {
        // The zh model wrote "devscripts()" and the jargon one "{" + line break + "}": a pair with nothing inside.
        CopyAwareState s = copying(SOURCE);
        s.advance(1); // "the"
        s.advance(8); // "{", inserted
        assertFalse(s.allows(9), "'}' right after the '{' the text opened");
        s.advance(6); // a line break inside
        assertFalse(s.allows(9), "'}' after only white space");
        s.advance(4); // "cat"
        assertTrue(s.allows(9), "'}' once the bracket holds a word");

        CopyAwareState t = copying(SOURCE);
        t.advance(1);
        assertFalse(closesAtOnce(t, 17, 18), "'(' then ')' at once");
        String out = decode(copying(SOURCE), text -> {
            double[] l = flat();
            l[text.endsWith("the") ? 17 : 18] = 9; // open a bracket after "the", then close it at every step
            return l;
        });
        assertFalse(out.contains("()"), out);
    }

    @Test
    void aParenthesisOpensOnlyWhereTheDraftsAsideCanGoBack() {
        CopyAwareState noAside = copying(SOURCE); // "the cat sat."
        noAside.advance(1);
        assertFalse(noAside.allows(17), "no aside to put back: '(' would hold nothing the draft sets apart");
        CopyAwareState aside = copying(1, 2, 3, 12, 13, 12); // "the cat sat. dog."
        aside.advance(1);
        assertTrue(aside.allows(17), "'dog.' may go back into the sentence it was moved out of");
        aside.advance(17);
        aside.advance(14); // "dog": the aside is being written
        assertFalse(aside.allows(17), "no second bracket inside the aside");
    }

    @Test
    void aBraceTheTextOpensClosesBeforeThePunctuationAfterItsTerm() {
        // The jargon model wrote "(see {NAK). Thus, … long}": a cross reference marks up a term, not a sentence.
        String out = decode(copying(1, 2, 3, 12, 13, 12), text -> { // "the cat sat. dog."
            double[] l = flat();
            if (text.endsWith("the")) {
                l[8] = 9; // "{" before "cat"
            }
            return l;
        });
        assertEquals("the{ cat sat}. dog.", out);
    }

    @Test
    void aQuotationIsCopiedWithoutSkipping() {
        CopyAwareState quoted = copying(29, 1, 2, 3, 29, 12); // "\"the cat sat\"."
        quoted.advance(29);
        quoted.advance(1);
        assertFalse(quoted.allows(3), "' sat' would skip ' cat' inside the quotation");
        assertTrue(quoted.allows(2));
        CopyAwareState plain = copying(1, 2, 3, 12); // "the cat sat."
        plain.advance(1);
        assertTrue(plain.allows(3), "outside a quotation the copy may resume a little further on");
    }

    @Test
    void aSigningStylesLastSentenceIsNoAside() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState signing = new CopyAwareState(new CopyPlan(new long[] {1, 2, 3, 12, 13, 12}, null, List.of(),
                List.of(), FormOpeners.NONE, true, o, Set.of(EOS), TEXTS)); // "the cat sat. dog."
        signing.advance(1);
        assertFalse(signing.allows(17), "'dog.' is the signature, not an aside to put in brackets");
    }

    @Test
    void layoutWithoutCopyingEndsAfterAFewTokens() {
        // A model that would write spaces for ever (the zh one wrote "  -" list marks a line each until the cap).
        String out = decode(copying(SOURCE), text -> {
            double[] l = flat();
            l[7] = 9;
            return l;
        });
        assertTrue(out.strip().endsWith("sat."), out);
        assertFalse(out.contains(" ".repeat(CopyAwareState.MAX_STALL + 2)), out);
    }

    @Test
    void listMarksOnEmptyLinesEndAfterAFewTokens() {
        // zh-fortunes-00247: a list mark steps the cursor back over the source's space and a line break passes it
        // again; the model wrote "\n" and "-" a line each until the length cap.
        String out = decode(copying(1, 12, 2, 3, 12), text -> { // "the. cat sat."
            double[] l = flat();
            l[text.endsWith("-") ? 6 : 15] = 9;
            return l;
        });
        assertTrue(out.contains("cat"), out);
        assertFalse(out.contains("-\n-\n-\n-\n-"), out);
    }

    /** Whether {@code s} takes {@code opener} and then allows {@code closer} right after it. */
    private static boolean closesAtOnce(CopyAwareState s, int opener, int closer) {
        CopyAwareState c = s.copy();
        c.advance(opener);
        return c.allows(closer);
    }

    @Test
    void aNamesInitialEndsNoSentence() {
        // "the cat A. dog." : "A." is an initial ("Eric S. Raymond"), so the draft is one sentence; a signature or a
        // paragraph may not start at "dog".
        CopySource source = new CopySource(new int[] {1, 2, 20, 12, 13, 12}, TEXTS);
        assertEquals(0, source.lastSentenceStart);
        assertEquals(0, source.sentenceStarts.length);
        assertFalse(source.paragraphMayBreakAt(11));
        CopySource twoSentences = new CopySource(new int[] {1, 2, 3, 12, 13, 12}, TEXTS); // "the cat sat. dog."
        assertEquals(13, twoSentences.lastSentenceStart);
        assertTrue(twoSentences.paragraphMayBreakAt(12));
    }

    @Test
    void noLineBreakInsideAWord() {
        CopyAwareState s = state(4);
        for (int t : new int[] {1, 6, 10}) { // "the", "\n", "c"
            s.advance(t);
        }
        double[] l = flat();
        l[6] = 5;
        assertEquals(11, argmax(biased(s, l)), "inside 'cat' only its rest 'at' fits");
    }

    @Test
    void theEndWaitsForTheSourceThenComes() {
        CopyAwareState s = state(4);
        double[] wantsToEnd = flat();
        wantsToEnd[EOS] = 3;
        assertTrue(argmax(biased(s, wantsToEnd)) != EOS, "the end is held back while the source is unwritten");
        for (long t : SOURCE) {
            s.advance((int) t);
        }
        assertEquals(EOS, argmax(biased(s, flat())));
    }

    @Test
    void onceTheSourceIsWrittenNoWordFollows() {
        CopyAwareState s = state(4);
        for (long t : SOURCE) {
            s.advance((int) t);
        }
        double[] wantsMore = flat();
        wantsMore[22] = 9; // "1" after "the cat sat."
        assertFalse(s.allows(22), "a word after the whole source says what the plan does not");
        assertFalse(s.allows(13), "' dog' neither");
        assertTrue(s.allows(6), "layout may still come");
        assertTrue(s.allows(EOS));
        assertEquals("", decode(s, text -> wantsMore), "the model's '1' refused, the text ends");
    }

    @Test
    void aSectionMayEndOnceItsPartOfThePlanIsWritten() {
        // The prompt's plan holds more ("the cat sat. dog A": its title, another section) than this section copies.
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, true, 0.7);
        CopyAwareState s = new CopyAwareState(new CopyPlan(new long[] {1, 2, 3, 12, 13, 20}, SOURCE, List.of(), o,
                Set.of(EOS), TEXTS));
        assertFalse(s.mayEnd());
        for (long t : SOURCE) {
            s.advance((int) t);
        }
        assertTrue(s.coverage() < 0.7, "2 of the plan's 3 content words");
        assertTrue(s.mayEnd(), "nothing of the section's source is left to hold the end for");
        assertTrue(s.allows(EOS));
        assertFalse(s.allows(13), "' dog' is not this section's to write");
    }

    @Test
    void aBracketTheTextOpenedIsClosedBeforeTheNextWord() {
        CopyAwareState s = state(4);
        s.advance(1); // "the"
        s.advance(7); // " "
        s.advance(8); // "{" inserted by the model
        s.advance(4); // "cat"
        double[] l = flat();
        l[9] = 2; // the model would close it
        assertEquals(9, argmax(biased(s, l)));
        s.advance(9);
        assertEquals(3, argmax(biased(s, flat())), "then the source goes on: ' sat'");
    }

    @Test
    void aCrossReferenceBraceNeverOpensBeforeAFunctionWord() {
        // The model wants a brace at the start and to close it after the word: "{the}" names no entry, "{cat}" may.
        Function<String, double[]> braces = text -> {
            double[] l = flat();
            if (text.isEmpty()) {
                l[8] = 5;
            } else if (text.equals("{cat")) {
                l[9] = 5;
            }
            return l;
        };
        assertEquals("the cat sat.", decode(state(4), braces));
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState catFirst = new CopyAwareState(new CopyPlan(new long[] {4, 3, 12}, null, List.of(), o,
                Set.of(EOS), TEXTS));
        assertEquals("{cat} sat.", decode(catFirst, braces));
    }

    /** A dictionary's model: "n." and a blank line before the definition, then it has no opinion. */
    static double[] headed(String text) {
        double[] l = flat();
        if (text.isEmpty()) {
            l[16] = 3; // "n"
        } else if (text.equals("n")) {
            l[12] = 3; // "."
        } else if (text.equals("n.")) {
            l[6] = 3; // "\n"
        }
        return l;
    }

    @Test
    void aStylesFormWordIsTheModelsToWriteBack() {
        assertEquals("the cat sat.", decode(state(4), PlanCursorTest::headed), "without form words 'n' is moved");
        assertEquals("n.\nthe cat sat.", decode(withFormWords(List.of("n")), PlanCursorTest::headed));
    }

    @Test
    void aFormWordTheTextInsertedStaysAWordOfItsOwn() {
        CopyAwareState s = withFormWords(List.of("n"));
        s.advance(16); // "n", inserted
        assertFalse(s.allows(1), "'n' then 'the' would write 'nthe'");
        assertTrue(s.allows(12));
        assertTrue(s.allows(7));
    }

    @Test
    void anAsideTheDraftMovedAfterItsSentenceGoesBackIntoTheBracketTheTextOpens() {
        // The draft "the cat sat. A dog." came from "the cat (a dog) sat.": the model opens a bracket after "cat".
        long[] draft = {1, 2, 3, 12, 20, 13, 12};
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(draft, null, List.of(), o, Set.of(EOS), TEXTS));
        String out = decode(s, text -> {
            double[] l = flat();
            switch (text) {
                case "the cat" -> l[7] = 5; // " "
                case "the cat " -> l[17] = 5; // "("
                case "the cat (" -> l[19] = 3; // "a": the aside, lower-case inside the bracket
                case "the cat (a dog" -> l[18] = 3; // ")" where the aside's full stop was
                default -> { }
            }
            return l;
        });
        assertEquals("the cat (a dog) sat.", out, "the aside is written once, in its bracket");
        assertEquals("the cat sat. A dog.", decode(new CopyAwareState(new CopyPlan(draft, null, List.of(),
                o, Set.of(EOS), TEXTS)), text -> flat()), "without a bracket the draft is copied as it is");
    }

    @Test
    void aWordAfterAClosingQuoteKeepsItsSpace() {
        // "the 'cat' sat.": the model would glue "sat" to the closing quote; after an opening one it may drop a space.
        String out = decode(copying(1, 7, 21, 4, 21, 3, 12), text -> {
            double[] l = flat();
            l[5] = 3; // "sat" without its space
            return l;
        });
        assertEquals("the 'cat' sat.", out);
    }

    @Test
    void beforeASentenceOnlyALabelIsTakenAsAnAside() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        double[] l = flat();
        l[19] = 3; // "a": the next sentence's start
        // "dog. the cat sat. A dog.": "A dog." is short enough to be a label before "the cat sat."
        CopyAwareState label = new CopyAwareState(new CopyPlan(new long[] {14, 12, 7, 1, 2, 3, 12, 20, 13, 12}, null,
                List.of(), o, Set.of(EOS), TEXTS));
        for (int t : new int[] {14, 12, 7, 17}) { // "dog. (" : the bracket opens before anything of the sentence
            label.advance(t);
        }
        assertEquals(19, argmax(biased(label, l)));
        for (int t : new int[] {19, 13}) { // "a", " dog": the label
            label.advance(t);
        }
        assertTrue(label.allows(18), "the label's bracket closes at its full stop");
        label.advance(18); // ")"
        assertFalse(label.allows(1), "'(a dog)the' would glue the sentence to the label");
        assertTrue(label.allows(7));
        // "the cat sat. A dog dog dog ... dog.": a sentence that long is content, not a label.
        long[] longer = new long[4 + 2 + 12 + 1];
        long[] head = {1, 2, 3, 12, 20};
        System.arraycopy(head, 0, longer, 0, head.length);
        java.util.Arrays.fill(longer, head.length, longer.length - 1, 13);
        longer[longer.length - 1] = 12;
        CopyAwareState sentence = new CopyAwareState(new CopyPlan(longer, null, List.of(), o, Set.of(EOS),
                TEXTS));
        sentence.advance(17);
        assertEquals(1, argmax(biased(sentence, l)), "the draft's own next word, not the next sentence");
    }

    @Test
    void noAsideBeforeTheTextHasWrittenAnyOfTheDraft() {
        // "the cat sat. A dog.": a bracket the text opens first holds the draft's start, not its closing remark.
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(new long[] {1, 2, 3, 12, 20, 13, 12}, null,
                List.of(), o, Set.of(EOS), TEXTS));
        s.advance(17); // "("
        double[] l = flat();
        l[19] = 3; // "a": the next sentence's start
        assertEquals(1, argmax(biased(s, l)));
    }

    @Test
    void noFormWordIsInsertedBeforeOneTheDraftHoldsInThisSentence() {
        // "the cat sat n.": the draft kept its own "n", so the model's "n" first is not let through.
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(new long[] {1, 2, 3, 7, 16, 12}, null, List.of(),
                List.of("n"), o, Set.of(EOS), TEXTS));
        assertEquals("the cat sat n.", decode(s, PlanCursorTest::headed));
    }

    @Test
    void senseNumbersCountUpAndStayWordsOfTheirOwn() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        double[] two = flat();
        two[23] = 3; // "2" before any "1"
        CopyAwareState s = new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), List.of("1", "2"), o,
                Set.of(EOS), TEXTS));
        assertEquals(1, argmax(biased(s, two)), "'2' is not the first sense");
        double[] one = flat();
        one[22] = 3;
        assertEquals(22, argmax(biased(s, one)), "'1' is");
        s.advance(22); // "1"
        s.advance(12); // "."
        assertFalse(s.allows(1), "'1.the' glues the sense's text to its number");
        assertTrue(s.allows(7));
        s.advance(7);
        s.advance(1);
        s.advance(6); // "\n"
        assertEquals(23, argmax(biased(s, two)), "'2' follows '1'");
    }

    @Test
    void whichFormWordOpensTheTextIsWeighedByTheStylesCountsBeforeTheDraftsNextWord() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        double[] l = flat();
        l[16] = 3; // "n": the model's favourite mark
        l[22] = 2; // "1"
        CopyAwareState plain = new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), List.of("n", "1"), o,
                Set.of(EOS), TEXTS));
        assertEquals(16, argmax(biased(plain, l)));
        // The style writes "1" before "the" nine times in ten.
        FormOpeners counts = FormOpeners.parse(List.of("the\t1\t9", "the\tn\t1", "cat\tn\t5"));
        CopyAwareState weighed = new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), List.of("n", "1"),
                counts, o, Set.of(EOS), TEXTS));
        double[] scores = biased(weighed, l);
        assertEquals(22, argmax(scores));
        double before = Math.exp(l[16]) + Math.exp(l[22]) + Math.exp(l[25]); // "n", "1", " n"
        double after = Math.exp(scores[16]) + Math.exp(scores[22]) + Math.exp(scores[25]);
        assertEquals(before, after, 1e-9 * before, "whether a mark is written stays the model's choice");
    }

    @Test
    void whereTheDraftsFirstSentenceEndsAStyleMayLabelItsHeadword() {
        // "the cat. dog.": the style writes "the cat, n. dog." (a headword and its part of speech).
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        long[] draft = {1, 2, 12, 13, 12};
        java.util.function.Function<String, double[]> model = text -> {
            double[] l = flat();
            switch (text) {
                case "the cat" -> l[24] = 5; // ","
                case "the cat," -> l[25] = 5; // " n"
                default -> { }
            }
            return l;
        };
        assertEquals("the cat. dog.", decode(new CopyAwareState(new CopyPlan(draft, null, List.of(), o, Set.of(EOS),
                TEXTS)), model), "without form words the comma is not the draft's");
        assertEquals("the cat, n. dog.", decode(new CopyAwareState(new CopyPlan(draft, null, List.of(), List.of("n"),
                o, Set.of(EOS), TEXTS)), model));
    }

    @Test
    void aDashMarksALineStartButDoesNotJoinWordsMidLine() {
        CopyAwareState s = state(4);
        s.advance(1); // "the"
        double[] l = flat();
        l[15] = 3;
        assertEquals(2, argmax(biased(s, l)), "mid-line, a dash would join 'the' and 'cat': the source goes on");
        s.advance(6); // "\n"
        assertEquals(15, argmax(biased(s, l)), "at a line's start the model may open an item with a dash");
    }

    @Test
    void aListWrittenBackLeavesOutTheConjunctionTheDraftPutBeforeItsLastItem() {
        // The draft "the cat; and dog." ran the list "* the cat / * dog" into a sentence.
        long[] draft = {1, 2, 26, 27, 13, 12};
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        String out = decode(new CopyAwareState(new CopyPlan(draft, null, List.of(), o, Set.of(EOS), TEXTS)), text -> {
            double[] l = flat();
            switch (text) {
                case "the cat;" -> l[6] = 5; // a line break
                case "the cat;\n" -> l[28] = 5; // "*"
                case "the cat;\n*" -> {
                    l[27] = 3; // " and": the model would copy the draft's conjunction
                    l[14] = 3; // "dog", glued to the mark
                }
                default -> { }
            }
            return l;
        });
        assertEquals("the cat;|* dog.", out.replace("\n", "|"),
                "the item keeps its word, takes a space after the mark, drops 'and'");
        assertEquals("the cat; and dog.", decode(new CopyAwareState(new CopyPlan(draft, null, List.of(), o,
                Set.of(EOS), TEXTS)), text -> flat()), "written as prose, the series keeps its conjunction");
    }

    @Test
    void aTokenThatStartsBothTheConjunctionAndTheItemIsNotTakenForTheItem() {
        // "the cat; and at.": " a" starts " and" as well as " at"; taken, it would go on to copy the "and".
        String[] vocab = java.util.Arrays.copyOf(VOCAB, VOCAB.length + 2);
        vocab[VOCAB.length] = " a";
        vocab[VOCAB.length + 1] = " at";
        int a = VOCAB.length;
        long[] draft = {1, 2, 26, 27, a + 1, 12};
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(draft, null, List.of(), o, Set.of(EOS),
                TokenTexts.of(vocab)));
        String out = decode(s, text -> {
            double[] l = new double[vocab.length];
            switch (text) {
                case "the cat;" -> l[6] = 5;
                case "the cat;\n" -> l[28] = 5;
                case "the cat;\n*" -> {
                    l[a] = 3; // " a"
                    l[a + 1] = 1; // " at"
                }
                default -> { }
            }
            return l;
        }, vocab);
        assertEquals("the cat;|* at.", out.replace("\n", "|"));
    }

    @Test
    void anAttributionDashOpensOnlyTheDraftsLastSentence() {
        // "the cat. dog." with "dog" the signature: "-- dog" closes the text; a dash before "cat" would sign it off early.
        String[] vocab = java.util.Arrays.copyOf(VOCAB, VOCAB.length + 1);
        vocab[VOCAB.length] = "--";
        int dash = VOCAB.length;
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(new long[] {1, 2, 12, 13, 12}, null, List.of(), o,
                Set.of(EOS), TokenTexts.of(vocab)));
        assertFalse(s.allows(dash), "not before the text has begun");
        s.advance(1);
        s.advance(6);
        assertFalse(s.allows(dash), "not on a line inside the first sentence");
        s.advance(2);
        s.advance(12);
        s.advance(6);
        assertTrue(s.allows(dash), "before the last sentence, a dash may sign the text off");
    }

    @Test
    void aListItemStartsOnlyWhereTheDraftsItemsBreak() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(new long[] {1, 2, 26, 13, 12}, null, List.of(), o,
                Set.of(EOS), TEXTS));
        assertTrue(s.allows(28), "the text may open with an item");
        s.advance(1);
        s.advance(6);
        assertFalse(s.allows(28), "a line broken inside 'the cat' goes on, it does not start an item");
        s.advance(2);
        s.advance(26);
        s.advance(6);
        assertTrue(s.allows(28), "after the draft's ';' an item may start");
    }

    @Test
    void anItemTheCopySourceNumbersTakesNoListMarkBeforeItsNumber() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        // "the cat.\n2. the dog.": the plan's numbered item, as the styler's copy source writes it.
        CopyAwareState numbered = new CopyAwareState(new CopyPlan(new long[] {1, 2, 12}, new long[] {1, 2, 12, 6, 23,
                12, 7, 1, 13, 12}, List.of(), o, Set.of(EOS), TEXTS));
        for (int t : new int[] {1, 2, 12, 6}) {
            numbered.advance(t);
        }
        assertFalse(numbered.allows(28), "'* 2. the dog' would mark an item twice");
        assertTrue(numbered.allows(23));
        CopyAwareState plain = new CopyAwareState(new CopyPlan(new long[] {1, 2, 12, 6, 1, 13, 12}, null, List.of(), o,
                Set.of(EOS), TEXTS));
        for (int t : new int[] {1, 2, 12, 6}) {
            plain.advance(t);
        }
        assertTrue(plain.allows(28), "after a full stop, at a line's start, an item may start");
    }

    @Test
    void aVerbatimRangeIsWrittenAsItStandsItsWhiteSpaceToo() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, false, 0.0);
        // The model would break the line after "the": layout, where the source is prose; not inside a shell session.
        Function<String, double[]> model = text -> {
            double[] l = flat();
            if (text.endsWith("the")) {
                l[6] = 5;
            }
            return l;
        };
        assertEquals("the\ncat sat.", decode(new CopyAwareState(new CopyPlan(SOURCE, SOURCE, List.of(), List.of(),
                FormOpeners.NONE, false, "", new int[0], o, Set.of(EOS), TEXTS)), model));
        assertEquals("the cat sat.", decode(new CopyAwareState(new CopyPlan(SOURCE, SOURCE, List.of(), List.of(),
                FormOpeners.NONE, false, "", new int[] {0, 12}, o, Set.of(EOS), TEXTS)), model));
    }

    @Test
    void tokensOfTheSourceAreFoundByTheirBytes() {
        TokenTrie trie = TEXTS.trie();
        java.util.List<Integer> found = new java.util.ArrayList<>();
        trie.prefixesAt(" cat sat".getBytes(StandardCharsets.UTF_8), 0, found::add);
        assertEquals(List.of(7, 2), found);
    }

    /** A closing bracket the text never opened is refused; one it opened may close, and the source's own may copy. */
    @Test
    void aClosingBracketNobodyOpenedIsRefused() {
        GenerationOptions o = new GenerationOptions(64, 0.0, 0, 1.0, 1.0, 0L, List.of(), 4.0, true, 0.0);
        CopyAwareState s = new CopyAwareState(new CopyPlan(SOURCE, null, List.of(), o, Set.of(EOS), TEXTS));
        assertFalse(s.allows(9), "a stray '}' before anything was opened");
        s.advance(1);
        assertFalse(s.allows(9), "a stray '}' after a copied word");
        s.advance(8);
        s.advance(2);
        assertTrue(s.allows(9), "the '}' that closes the text's own '{'");
        s.advance(9);
        assertFalse(s.allows(9), "a second '}' once the first closed");
        long[] braced = {1, 8, 4, 9};
        CopyAwareState t = new CopyAwareState(new CopyPlan(braced, null, List.of(), o, Set.of(EOS), TEXTS));
        t.advance(1);
        t.advance(8);
        t.advance(4);
        assertTrue(t.allows(9), "the source's own '}' is copied");
    }
}
