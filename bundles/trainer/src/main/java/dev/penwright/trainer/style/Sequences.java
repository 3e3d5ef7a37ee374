package dev.penwright.trainer.style;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.engine.LanguageModel;
import dev.penwright.trainer.loop.Example;

/**
 * Turns (plan, text) pairs into token sequences with loss on the text only, within a length budget. Public because
 * base training's plan-mix stage makes its plan→text sequences exactly as S-SFT does.
 */
public final class Sequences {
    private Sequences() {
    }

    /** The prompt ids of a plan, at most {@code maxPrompt} tokens: the draft is shortened first, then the middle. */
    public static long[] prompt(LanguageModel model, ContentPlan plan, int maxPrompt) {
        String draft = plan.neutralDraft();
        long[] ids = model.encode(PromptFormat.render(plan, draft));
        for (int attempt = 0; ids.length > maxPrompt && attempt < 6 && !draft.isEmpty(); attempt++) {
            draft = draft.substring(0, (int) (draft.length() * 0.6));
            ids = model.encode(PromptFormat.render(plan, draft));
        }
        if (ids.length > maxPrompt) {
            // Keep the head and the closing <|text|> marker's tokens.
            int tail = Math.min(4, maxPrompt / 4);
            long[] cut = new long[maxPrompt];
            System.arraycopy(ids, 0, cut, 0, maxPrompt - tail);
            System.arraycopy(ids, ids.length - tail, cut, maxPrompt - tail, tail);
            ids = cut;
        }
        return ids;
    }

    /** prompt → text (+ end marker), the text cut to fit {@code maxTokens}. */
    public static Example example(LanguageModel model, String id, ContentPlan plan, String text, int maxTokens) {
        long[] p = prompt(model, plan, maxTokens / 2);
        long[] t = model.encode(text + PromptFormat.END, false);
        int keep = Math.min(t.length, maxTokens - p.length);
        long[] all = new long[p.length + keep];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(t, 0, all, p.length, keep);
        return new Example(id, all, p.length);
    }
}
