package dev.penwright.engine.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Trains a byte-level BPE tokenizer (GPT-2 style: bytes mapped to printable characters, the GPT-2 pre-tokenizer
 * regex, merges learned by pair frequency) and writes a {@code tokenizer.json} that the Hugging Face tokenizers
 * library — and so DJL's HuggingFaceTokenizer — loads. Written by hand because DJL's tokenizers binding can load
 * and run tokenizers but cannot train them. Every byte is in the base vocabulary, so any text (CJK included)
 * encodes and decodes back to itself.
 */
public final class BpeTrainer {
    /** Special tokens Penwright's own models use. */
    public static final List<String> DEFAULT_SPECIALS = List.of("<|endoftext|>", "<|plan|>", "<|text|>");

    // The GPT-2 pattern the ByteLevel pre-tokenizer uses (use_regex true), so merges are learned on the same pieces.
    private static final Pattern PRE_TOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private final int vocabSize;
    private final List<String> specials;
    private final int minFrequency;

    public BpeTrainer(int vocabSize, List<String> specials, int minFrequency) {
        if (vocabSize < 256 + specials.size()) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the 256 bytes plus "
                    + specials.size() + " special tokens");
        }
        this.vocabSize = vocabSize;
        this.specials = List.copyOf(specials);
        this.minFrequency = Math.max(1, minFrequency);
    }

    /** GPT-2's reversible map from bytes to printable characters. */
    public static char[] byteToChar() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    /** The result: vocabulary in id order and merges in rank order. */
    public record Result(List<String> vocab, List<String[]> merges, List<String> specials) {
    }

    public Result train(Iterable<String> texts) {
        char[] map = byteToChar();
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String text : texts) {
            Matcher m = PRE_TOKENIZE.matcher(text);
            while (m.find()) {
                byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder(bytes.length);
                for (byte b : bytes) {
                    sb.append(map[b & 0xff]);
                }
                wordCounts.merge(sb.toString(), 1, Integer::sum);
            }
        }
        // Words as symbol sequences.
        List<List<String>> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        for (var e : wordCounts.entrySet()) {
            List<String> symbols = new ArrayList<>();
            for (char ch : e.getKey().toCharArray()) {
                symbols.add(String.valueOf(ch));
            }
            words.add(symbols);
            freq.add(e.getValue());
        }
        Map<String, Long> pairCount = new HashMap<>();
        Map<String, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            addPairs(words.get(w), freq.get(w), w, pairCount, pairWords, 1);
        }
        List<String> vocab = new ArrayList<>(specials);
        for (char c : map) {
            vocab.add(String.valueOf(c));
        }
        Set<String> known = new HashSet<>(vocab);
        List<String[]> merges = new ArrayList<>();
        // Max-count pair first; ties broken by the pair's text so training is deterministic.
        PriorityQueue<Map.Entry<String, Long>> heap = new PriorityQueue<>((a, b) ->
                !a.getValue().equals(b.getValue()) ? Long.compare(b.getValue(), a.getValue()) : a.getKey().compareTo(b.getKey()));
        pairCount.entrySet().forEach(e -> heap.add(Map.entry(e.getKey(), e.getValue())));
        while (vocab.size() < vocabSize && !heap.isEmpty()) {
            Map.Entry<String, Long> top = heap.poll();
            Long current = pairCount.get(top.getKey());
            if (current == null || !current.equals(top.getValue())) {
                continue; // stale entry
            }
            if (current < minFrequency) {
                break;
            }
            String[] pair = top.getKey().split("\u0000", 2);
            String merged = pair[0] + pair[1];
            merges.add(pair);
            if (known.add(merged)) {
                vocab.add(merged);
            }
            Set<Integer> affected = pairWords.remove(top.getKey());
            pairCount.remove(top.getKey());
            if (affected == null) {
                continue;
            }
            Map<String, Long> touched = new HashMap<>();
            for (int w : affected) {
                List<String> sym = words.get(w);
                int f = freq.get(w);
                addPairs(sym, f, w, pairCount, pairWords, -1);
                List<String> out = new ArrayList<>(sym.size());
                for (int i = 0; i < sym.size(); i++) {
                    if (i + 1 < sym.size() && sym.get(i).equals(pair[0]) && sym.get(i + 1).equals(pair[1])) {
                        out.add(merged);
                        i++;
                    } else {
                        out.add(sym.get(i));
                    }
                }
                words.set(w, out);
                addPairs(out, f, w, pairCount, pairWords, 1);
                for (int i = 0; i + 1 < out.size(); i++) {
                    String key = out.get(i) + "\u0000" + out.get(i + 1);
                    touched.put(key, pairCount.get(key));
                }
            }
            for (var e : touched.entrySet()) {
                if (e.getValue() != null && e.getValue() > 0) {
                    heap.add(Map.entry(e.getKey(), e.getValue()));
                }
            }
        }
        return new Result(vocab, merges, specials);
    }

    private static void addPairs(List<String> sym, int f, int w, Map<String, Long> counts,
                                 Map<String, Set<Integer>> where, int sign) {
        for (int i = 0; i + 1 < sym.size(); i++) {
            String key = sym.get(i) + "\u0000" + sym.get(i + 1);
            long c = counts.getOrDefault(key, 0L) + (long) sign * f;
            if (c <= 0) {
                counts.remove(key);
            } else {
                counts.put(key, c);
            }
            if (sign > 0) {
                where.computeIfAbsent(key, k -> new HashSet<>()).add(w);
            }
        }
    }

    /** Trains and writes {@code tokenizer.json} into {@code directory}. @return the vocabulary size */
    public int trainAndWrite(Iterable<String> texts, Path directory) throws IOException {
        Result r = train(texts);
        write(r, directory.resolve("tokenizer.json"));
        return r.vocab().size();
    }

    public static void write(Result r, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < r.specials().size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", r.specials().get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < r.vocab().size(); i++) {
            ids.putIfAbsent(r.vocab().get(i), i);
        }
        ids.forEach(vocab::put);
        ArrayNode merges = model.putArray("merges");
        for (String[] m : r.merges()) {
            merges.add(m[0] + " " + m[1]);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        json.writeValue(file.toFile(), root);
    }
}
