package dev.penwright.engine.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.penwright.api.style.StyleVocabulary;

/**
 * The bytes each token id adds to the decoded text, read once per model from its tokenizer.json, so that copy-aware
 * decoding can check a candidate token's text without decoding the whole row again. Byte-level BPE (GPT-2, Llama 3,
 * Qwen, Penwright's own) maps its vocabulary's characters back to bytes; SentencePiece-style vocabularies (Llama 2,
 * Mistral) turn {@code ▁} into a space and {@code <0xNN>} into its byte. Special tokens add nothing (the decoded
 * text skips them). Any other kind of tokenizer falls back to decoding each id on its own through the tokenizer.
 */
public final class TokenTexts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NONE = new byte[0];

    private final byte[][] bytes;
    private final boolean[] special;
    /** Built on first use: most models never decode with a copy cursor. */
    private volatile TokenTrie trie;
    private volatile boolean[] words;
    private final Map<String, Set<Integer>> tokenSets = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Byte, java.util.List<Integer>> closers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Set<String>, Set<Integer>> formTokens = new java.util.concurrent.ConcurrentHashMap<>();

    private TokenTexts(byte[][] bytes, boolean[] special) {
        this.bytes = bytes;
        this.special = special;
    }

    /** The bytes token {@code id} adds to the text (empty for special tokens and ids the tokenizer lacks). */
    public byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : NONE;
    }

    /** Whether {@code id} is a special (control) token, which the decoded text leaves out. */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    public int size() {
        return bytes.length;
    }

    /**
     * Whether each token writes a word character (a letter, a digit, any non-ASCII byte) or sentence punctuation: what
     * a text says, as against its form (white space, brackets, quotes, list marks, markup) and special tokens.
     */
    boolean[] wordTokens() {
        boolean[] w = words;
        if (w == null) {
            w = new boolean[bytes.length];
            for (int id = 0; id < bytes.length; id++) {
                for (byte x : bytes[id]) {
                    if (CopySource.isContentByte(x)) {
                        w[id] = !special[id];
                        break;
                    }
                }
            }
            words = w;
        }
        return w;
    }

    /** Whether the token is white space alone with a line break in it ("\n", "\n\n    "). */
    private boolean isLineBreak(int id) {
        byte[] b = bytes(id);
        boolean breaks = false;
        for (byte x : b) {
            if (!CopySource.isSpace(x)) {
                return false;
            }
            breaks |= x == '\n';
        }
        return breaks && !special[id];
    }

    /** Whether the token writes anything but white space. */
    boolean hasNonSpace(int id) {
        for (byte x : bytes(id)) {
            if (!CopySource.isSpace(x)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the token writes a letter, a digit or any non-ASCII byte (not only white space and punctuation). */
    boolean hasWordByte(int id) {
        for (byte x : bytes(id)) {
            if (CopySource.isWordByte(x)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tokens that write exactly one of {@code words}, with white space or punctuation around it (" n", "n.", "2"):
     * a form word the model writes whole.
     */
    Set<Integer> tokensWriting(Set<String> words) {
        return formTokens.computeIfAbsent(words, w -> {
            Set<Integer> found = new java.util.HashSet<>();
            for (int id = 0; id < bytes.length; id++) {
                if (special[id] || bytes[id].length == 0) {
                    continue;
                }
                java.util.List<String> units = StyleVocabulary.units(
                        new String(bytes[id], java.nio.charset.StandardCharsets.UTF_8));
                if (units.size() == 1 && w.contains(units.get(0))) {
                    found.add(id);
                }
            }
            return Set.copyOf(found);
        });
    }

    /** Tokens that are white space with a line break in it (see {@link #isLineBreak}). */
    Set<Integer> lineBreakTokens() {
        return tokensWhere("line break", this::isLineBreak);
    }

    /** Tokens that are an attribution dash alone ("--", "—"), white space around it at most. */
    Set<Integer> attributionDashTokens() {
        return tokensWhere("attribution dash", id -> !special[id] && CopySource.isAttributionDash(bytes[id]));
    }

    /** Tokens whose first byte other than white space is a dash (a list mark or attribution at a line's start). */
    Set<Integer> dashTokens() {
        return tokensWhere("dash", id -> {
            byte[] t = bytes[id];
            int i = 0;
            while (i < t.length && CopySource.isSpace(t[i])) {
                i++;
            }
            return i < t.length && t[i] == '-' && !special[id];
        });
    }

    /** The tokens {@code test} holds for, found once a kind (asked at every step of every row). */
    private Set<Integer> tokensWhere(String kind, java.util.function.IntPredicate test) {
        return tokenSets.computeIfAbsent(kind, k -> {
            Set<Integer> found = new java.util.HashSet<>();
            for (int id = 0; id < bytes.length; id++) {
                if (test.test(id)) {
                    found.add(id);
                }
            }
            return Set.copyOf(found);
        });
    }

    /** The tokens that are {@code b} alone or {@code b} followed by white space (a closing bracket, say). */
    java.util.List<Integer> startingWith(byte b) {
        // Asked at every step while a bracket is owed: each byte's list is found once.
        return closers.computeIfAbsent(b, this::findStartingWith);
    }

    private java.util.List<Integer> findStartingWith(byte b) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int id = 0; id < bytes.length; id++) {
            byte[] t = bytes[id];
            if (t.length > 0 && t[0] == b && !special[id]) {
                boolean rest = true;
                for (int i = 1; i < t.length && rest; i++) {
                    rest = CopySource.isSpace(t[i]);
                }
                if (rest) {
                    out.add(id);
                }
            }
        }
        return java.util.List.copyOf(out);
    }

    /** The vocabulary as a byte trie (see {@link PlanCursor}). */
    TokenTrie trie() {
        TokenTrie t = trie;
        if (t == null) {
            synchronized (this) {
                t = trie;
                if (t == null) {
                    t = new TokenTrie(this);
                    trie = t;
                }
            }
        }
        return t;
    }

    /** Built for an explicit table (tests). */
    public static TokenTexts of(String[] texts) {
        byte[][] b = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            b[i] = texts[i] == null ? NONE : texts[i].getBytes(StandardCharsets.UTF_8);
        }
        return new TokenTexts(b, new boolean[texts.length]);
    }

    /**
     * Reads {@code tokenizer.json}; {@code vocabSize} is the model's (its embedding may have more rows than the
     * tokenizer has tokens). {@code tokenizer} decodes ids one by one when the vocabulary's format is not known.
     */
    public static TokenTexts load(Path tokenizerJson, int vocabSize, HuggingFaceTokenizer tokenizer) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(tokenizerJson));
        byte[][] bytes = new byte[vocabSize][];
        boolean[] special = new boolean[vocabSize];
        Map<Integer, String> pieces = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                pieces.put(e.getValue().asInt(), e.getKey());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                pieces.put(i, vocab.get(i).path(0).asText());
            }
        }
        String decoder = decoderKind(root.path("decoder"));
        Map<Character, Integer> byteOf = byteLevelTable();
        for (int id = 0; id < vocabSize; id++) {
            String piece = pieces.get(id);
            if (piece == null) {
                bytes[id] = NONE;
            } else if (decoder.equals("ByteLevel")) {
                bytes[id] = fromByteLevel(piece, byteOf);
            } else if (decoder.equals("SentencePiece")) {
                bytes[id] = fromSentencePiece(piece);
            } else {
                bytes[id] = tokenizer == null ? piece.getBytes(StandardCharsets.UTF_8)
                        : tokenizer.decode(new long[] {id}, true).getBytes(StandardCharsets.UTF_8);
            }
        }
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt(-1);
            if (id < 0 || id >= vocabSize) {
                continue;
            }
            if (added.path("special").asBoolean(false)) {
                bytes[id] = NONE;
                special[id] = true;
            } else {
                bytes[id] = added.path("content").asText("").getBytes(StandardCharsets.UTF_8);
            }
        }
        return new TokenTexts(bytes, special);
    }

    /** ByteLevel, SentencePiece (Metaspace, or ▁ replaced by a space, with byte fallback) or Other. */
    private static String decoderKind(JsonNode decoder) {
        String type = decoder.path("type").asText("");
        if (type.equals("ByteLevel")) {
            return "ByteLevel";
        }
        if (type.equals("Metaspace")) {
            return "SentencePiece";
        }
        if (type.equals("Sequence")) {
            String kind = "Other";
            for (JsonNode d : decoder.path("decoders")) {
                String k = decoderKind(d);
                if (k.equals("ByteLevel")) {
                    return k;
                }
                if (d.path("type").asText("").equals("ByteFallback")
                        || (d.path("type").asText("").equals("Replace")
                        && d.path("pattern").path("String").asText("").equals("\u2581"))) {
                    kind = "SentencePiece";
                }
                if (k.equals("SentencePiece")) {
                    kind = k;
                }
            }
            return kind;
        }
        return "Other";
    }

    private static byte[] fromByteLevel(String piece, Map<Character, Integer> byteOf) {
        byte[] out = new byte[piece.length()];
        for (int i = 0; i < piece.length(); i++) {
            Integer b = byteOf.get(piece.charAt(i));
            if (b == null) {
                // Not a byte-level character (an added piece written as text): take it as UTF-8.
                return piece.getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) (int) b;
        }
        return out;
    }

    private static byte[] fromSentencePiece(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                // not a byte piece after all
            }
        }
        return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** GPT-2's bytes_to_unicode, inverted: printable bytes stand for themselves, the rest for U+0100 upwards. */
    private static Map<Character, Integer> byteLevelTable() {
        Map<Character, Integer> table = new HashMap<>();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                table.put((char) b, b);
            } else {
                table.put((char) (256 + n), b);
                n++;
            }
        }
        return table;
    }
}
