package dev.penwright.engine.internal;

import java.util.List;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * Turns a row's generated ids into text as they come: finds stop strings, and streams only text that can no longer
 * change — not an incomplete UTF-8 sequence (decoded as U+FFFD), not a tail that may be the start of a stop string.
 */
public final class TextTracker {
    private final HuggingFaceTokenizer tokenizer;
    private final List<String> stops;
    private String text = "";
    private int emitted;
    private boolean stopped;

    public TextTracker(HuggingFaceTokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** @return the newly safe text */
    public String update(long[] generated) {
        if (tokenizer == null) {
            return "";
        }
        String full = tokenizer.decode(generated, true);
        int cut = -1;
        for (String s : stops) {
            int i = full.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            stopped = true;
            text = full.substring(0, cut);
            return flush(text.length());
        }
        text = full;
        int safe = full.length();
        while (safe > 0 && full.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, safe); len > 0; len--) {
                if (full.startsWith(s.substring(0, len), safe - len)) {
                    safe = Math.min(safe, safe - len);
                    break;
                }
            }
        }
        return flush(safe);
    }

    /** The rest of the text, at the end. */
    public String finish() {
        return flush(text.length());
    }

    private String flush(int upTo) {
        if (upTo <= emitted) {
            return "";
        }
        String d = text.substring(emitted, upTo);
        emitted = upTo;
        return d;
    }

    public boolean stopped() {
        return stopped;
    }

    public String text() {
        return tokenizer == null ? null : text;
    }
}
