package dev.penwright.stylepacks;

import java.util.List;
import java.util.regex.Pattern;

/** The names that make a bundle a style pack; the trainer writes packs with them. */
public final class StylePackFormat {
    /** Manifest header naming the style id. */
    public static final String HEADER = "Penwright-StylePack";
    /** The extender capability packs require. */
    public static final String EXTENDER = "penwright.stylepack";
    public static final String EXTENDER_VERSION = "1.0.0";
    /** The requirement a pack's manifest carries. */
    public static final String REQUIREMENT =
            "osgi.extender;filter:=\"(&(osgi.extender=" + EXTENDER + ")(version>=1.0)(!(version>=2.0)))\"";
    /** The folder inside the jar. */
    public static final String FOLDER = "style";
    public static final String STYLE_JSON = "style.json";
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    public static final String EXEMPLARS = "exemplars.jsonl";
    public static final String REPORT = "report.json";
    /**
     * Optional: the style's vocabulary, one word a line (see {@link dev.penwright.api.style.StyleVocabulary}); a pack
     * without it gets the vocabulary of its exemplars.
     */
    public static final String VOCABULARY = "vocabulary.txt";
    /**
     * Optional: the style's form words, one a line (see {@link dev.penwright.api.style.StyleVocabulary#formWords()}),
     * which copy-aware decoding lets the model write back; a pack without it has none.
     */
    public static final String FORM_WORDS = "form-words.txt";
    /**
     * Optional: which form word the style writes on a first line, by the word after it (see
     * {@link dev.penwright.api.style.FormOpeners}), a line each: word, tab, form word, tab, count.
     */
    public static final String FORM_OPENERS = "form-openers.tsv";
    /**
     * Optional: the labels the style sets on lines of their own (see
     * {@link dev.penwright.api.style.StyleVocabulary#labelLines()}), one a line; a pack without it has none.
     */
    public static final String LABEL_LINES = "label-lines.txt";
    /** What a style id may be: lower-case letters, digits, '.', '_', '-'; at most 64. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Files every pack must carry. */
    public static final List<String> REQUIRED = List.of(STYLE_JSON, ADAPTER_CONFIG, ADAPTER_WEIGHTS, EXEMPLARS);

    private StylePackFormat() {
    }
}
