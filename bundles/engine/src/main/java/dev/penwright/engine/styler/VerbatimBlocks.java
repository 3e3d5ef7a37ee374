package dev.penwright.engine.styler;

import java.util.List;

import dev.penwright.api.plan.VerbatimBlock;

/**
 * A plan's verbatim blocks (shell sessions, listings) in its copy source: the neutral draft is prose and leaves them
 * out, so the copy source puts each back as a paragraph of its own after the draft sentence it followed, for a
 * copying styler to write unchanged.
 */
final class VerbatimBlocks {
    /** Sentence stops a draft may have added after the sentence a block follows. */
    private static final String STOPS = ".。";

    private VerbatimBlocks() {
    }

    /**
     * {@code source} with each of {@code blocks} after its sentence, found in order (a block whose sentence is not in
     * {@code source} is passed over, as one of another section is); a block that comes before the draft's first
     * sentence opens the source only when it {@code startsDraft}.
     */
    static String copySource(String source, List<VerbatimBlock> blocks, boolean startsDraft) {
        if (blocks.isEmpty()) {
            return source;
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (VerbatimBlock block : blocks) {
            if (block.text().isBlank()) {
                continue;
            }
            int end;
            if (block.after().isEmpty()) {
                if (!startsDraft || from > 0) {
                    continue;
                }
                end = 0;
            } else {
                end = sentenceEnd(source, block.after(), from);
                if (end < 0) {
                    continue;
                }
            }
            out.append(source, from, end);
            int next = end;
            while (next < source.length() && Character.isWhitespace(source.charAt(next))) {
                next++;
            }
            if (end > 0) {
                out.append("\n\n");
            }
            out.append(block.text());
            if (next < source.length()) {
                out.append("\n\n");
            }
            from = next;
        }
        return out.append(source, from, source.length()).toString();
    }

    /**
     * Where the blocks stand in {@code copySource} (found in order, each after the one before), as {@code [start, end)}
     * pairs of offsets into its UTF-8 bytes, which is what a byte-level tokenizer's tokens spell: the copy cursor writes
     * these ranges exactly ({@link dev.penwright.engine.PlanContext#verbatim()}).
     */
    static int[] byteSpans(String copySource, List<VerbatimBlock> blocks) {
        List<Integer> spans = new java.util.ArrayList<>();
        int from = 0;
        for (VerbatimBlock block : blocks) {
            int at = block.text().isBlank() ? -1 : copySource.indexOf(block.text(), from);
            if (at < 0) {
                continue;
            }
            from = at + block.text().length();
            spans.add(utf8Length(copySource, 0, at));
            spans.add(spans.get(spans.size() - 1) + utf8Length(copySource, at, from));
        }
        return spans.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int utf8Length(String s, int from, int to) {
        return s.substring(from, to).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /**
     * Where {@code sentence} ends in {@code source} from {@code from} on, past a stop the draft added: only where it
     * stands as a whole sentence ("cpio(1)" is not the end of "cpio(1) 和 tar(1)"); -1 if nowhere.
     */
    private static int sentenceEnd(String source, String sentence, int from) {
        for (int at = source.indexOf(sentence, from); at >= 0; at = source.indexOf(sentence, at + 1)) {
            int end = at + sentence.length();
            while (end < source.length() && STOPS.indexOf(source.charAt(end)) >= 0) {
                end++;
            }
            int before = at;
            while (before > 0 && Character.isWhitespace(source.charAt(before - 1))) {
                before--;
            }
            int stop = before;
            while (stop > 0 && CLOSERS.indexOf(source.charAt(stop - 1)) >= 0) {
                stop--;
            }
            // A sentence starts the source, a line (after a title or a label line) or follows another's end, closing
            // quotes or brackets after it aside ("和 cpio(1)。" is not the sentence "cpio(1)").
            boolean starts = before == 0 || source.substring(before, at).indexOf('\n') >= 0
                    || stop > 0 && ENDS.indexOf(source.charAt(stop - 1)) >= 0
                    && (before < at || isCjkStop(source.charAt(stop - 1)));
            // The draft ends every sentence with a stop: the sentence's own, or one the draft added after it.
            if (starts && (end == source.length() || end > at + sentence.length() || endsWithStop(sentence))) {
                return end;
            }
        }
        return -1;
    }

    private static boolean isCjkStop(char c) {
        return "。！？".indexOf(c) >= 0;
    }

    /** What ends a sentence, and what may close after its end. */
    private static final String ENDS = ".!?。！？…";
    private static final String CLOSERS = "\"'”’」』)）]";

    private static boolean endsWithStop(String sentence) {
        int i = sentence.length() - 1;
        while (i > 0 && "\"'”’」』)）]".indexOf(sentence.charAt(i)) >= 0) {
            i--;
        }
        return i >= 0 && ".!?。！？…".indexOf(sentence.charAt(i)) >= 0;
    }
}
