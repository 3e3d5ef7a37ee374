package dev.penwright.trainer.style;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.engine.LanguageModel;
import dev.penwright.trainer.loop.Example;

/**
 * Turns (plan, text) pairs into token sequences with loss on the text only, within a length budget. Public because
 * base training's plan-mix stage (base/BaseTrainer) makes its plan→text sequences exactly as S-SFT does.
 */
public final class Sequences {
    private Sequences() {
    }

    /**
     * The prompt ids of a plan, at most {@code maxPrompt} tokens. As the styler fits a prompt to its context, the
     * draft is cut to the longest prefix (at a word boundary where there is one) that fits, found by bisection; the
     * rest of the plan is kept. Only when the plan without a draft is still too long is the prompt's middle cut.
     */
    public static long[] prompt(LanguageModel model, PromptTemplate template, ContentPlan plan, int maxPrompt) {
        String draft = plan.neutralDraft();
        long[] ids = model.encode(PromptFormat.render(template, plan, draft));
        if (ids.length > maxPrompt && !draft.isEmpty()) {
            int lo = 0;
            int hi = draft.length();
            long[] best = model.encode(PromptFormat.render(template, plan, ""));
            while (lo < hi) {
                int mid = (lo + hi + 1) / 2;
                long[] candidate = model.encode(PromptFormat.render(template, plan, cut(draft, mid)));
                if (candidate.length <= maxPrompt) {
                    lo = mid;
                    best = candidate;
                } else {
                    hi = mid - 1;
                }
            }
            ids = best;
        }
        if (ids.length > maxPrompt) {
            // Keep the head and the closing <|text|> marker's tokens.
            int tail = Math.min(4, maxPrompt / 4);
            long[] trimmed = new long[maxPrompt];
            System.arraycopy(ids, 0, trimmed, 0, maxPrompt - tail);
            System.arraycopy(ids, ids.length - tail, trimmed, maxPrompt - tail, tail);
            ids = trimmed;
        }
        return ids;
    }

    /** The first {@code n} characters of the draft, back to the last space when there is one in its second half. */
    private static String cut(String draft, int n) {
        String head = draft.substring(0, n);
        int space = head.lastIndexOf(' ');
        return space > n / 2 ? head.substring(0, space) : head;
    }

    /**
     * prompt → text (+ end marker) in {@code maxTokens}: the text has up to half of them, the prompt the rest (all of
     * a short text's draft), and a long text is cut after its prompt.
     */
    public static Example example(LanguageModel model, PromptTemplate template, String id, ContentPlan plan, String text,
                           int maxTokens) {
        long[] t = model.encode(text + PromptFormat.END, false);
        long[] p = prompt(model, template, plan, maxTokens - Math.min(t.length, maxTokens / 2));
        int keep = Math.min(t.length, maxTokens - p.length);
        long[] all = new long[p.length + keep];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(t, 0, all, p.length, keep);
        return new Example(id, all, p.length);
    }
}
