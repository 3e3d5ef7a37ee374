package dev.penwright.trainer.base;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.training.BpeTrainer;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.loop.Example;

/** Raw-text sequences: next-token loss on every token of a text. */
final class RawText {
    private static final String END = BpeTrainer.DEFAULT_SPECIALS.get(0);

    private RawText() {
    }

    /** Each text (title, blank line, text, end token) cut into pieces of at most {@code seqLen} tokens. */
    static List<Example> pieces(LanguageModel model, List<CorpusText> texts, int seqLen) {
        List<Example> out = new ArrayList<>();
        for (CorpusText t : texts) {
            long[] ids = model.encode(t.title() + "\n\n" + t.text() + END, false);
            for (int start = 0, n = 0; start < ids.length - 1; start += seqLen, n++) {
                int end = Math.min(ids.length, start + seqLen);
                if (end - start >= 2) {
                    out.add(new Example(t.id() + "#" + n, Arrays.copyOfRange(ids, start, end), 1));
                }
            }
        }
        return out;
    }
}
