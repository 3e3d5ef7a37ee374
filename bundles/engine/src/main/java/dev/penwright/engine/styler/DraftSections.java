package dev.penwright.engine.styler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A draft too long for the model's context, cut into consecutive sections that each fit: at sentence ends where it
 * can, else at a space, else anywhere (CJK text has no spaces). Nothing is dropped: the sections, each with the white
 * space that led to it, make up the draft again.
 */
final class DraftSections {
    /**
     * One section.
     *
     * @param draft      its text, stripped, as its prompt shows it
     * @param copySource its text with the white space that separates it from the section before, as the text
     *                   continues it (a space, a line break or nothing)
     */
    record Section(String draft, String copySource) {
    }

    private DraftSections() {
    }

    /**
     * @param maxTokens the most tokens a section may have
     * @param tokens    a text's token count under the model's tokenizer
     */
    static List<Section> split(String draft, int maxTokens, ToIntFunction<String> tokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("a section needs room for at least one token");
        }
        List<Section> sections = new ArrayList<>();
        int start = skipSpace(draft, 0);
        int previousEnd = 0;
        while (start < draft.length()) {
            int end = longestFitting(draft, start, maxTokens, tokens);
            sections.add(new Section(draft.substring(start, end).strip(), draft.substring(previousEnd, end).stripTrailing()));
            previousEnd = end;
            start = skipSpace(draft, end);
        }
        return List.copyOf(sections);
    }

    /** The furthest cut after {@code start} whose section fits: a sentence end, else a space, else any character. */
    private static int longestFitting(String draft, int start, int maxTokens, ToIntFunction<String> tokens) {
        if (fits(draft, start, draft.length(), maxTokens, tokens)) {
            return draft.length();
        }
        for (Cut kind : Cut.values()) {
            List<Integer> cuts = new ArrayList<>();
            for (int i = start + 1; i < draft.length(); i++) {
                if (kind.at(draft, i)) {
                    cuts.add(i);
                }
            }
            // Token counts grow with the cut's position, so the furthest fitting cut is found by bisection.
            int lo = -1;
            int hi = cuts.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (fits(draft, start, cuts.get(mid), maxTokens, tokens)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (lo >= 0) {
                return cuts.get(lo);
            }
        }
        return Math.min(draft.length(), start + Character.charCount(draft.codePointAt(start)));
    }

    private static boolean fits(String draft, int start, int end, int maxTokens, ToIntFunction<String> tokens) {
        return tokens.applyAsInt(draft.substring(start, end).strip()) <= maxTokens;
    }

    private enum Cut {
        SENTENCE {
            @Override
            boolean at(String s, int i) {
                char before = s.charAt(i - 1);
                return TERMINAL.indexOf(before) >= 0 && (Character.isWhitespace(s.charAt(i)) || CJK_TERMINAL.indexOf(before) >= 0);
            }
        },
        SPACE {
            @Override
            boolean at(String s, int i) {
                return Character.isWhitespace(s.charAt(i)) && !Character.isWhitespace(s.charAt(i - 1));
            }
        },
        CHARACTER {
            @Override
            boolean at(String s, int i) {
                return !Character.isLowSurrogate(s.charAt(i));
            }
        };

        abstract boolean at(String s, int i);
    }

    private static final String CJK_TERMINAL = "。！？；…";
    private static final String TERMINAL = ".!?;:" + CJK_TERMINAL;

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
