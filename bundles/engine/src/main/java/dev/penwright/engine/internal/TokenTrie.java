package dev.penwright.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The vocabulary's token byte strings as a trie, so that the tokens a text can continue with at a position (every
 * token whose bytes are a prefix of the rest of the text) are found by one walk along the text rather than a pass
 * over the vocabulary. Written here because it works on {@link TokenTexts}' bytes, which no tokenizer library
 * exposes this way.
 */
final class TokenTrie {
    /** Child node of (node, byte), keyed {@code node << 8 | byte}. */
    private final Map<Long, Integer> edges = new HashMap<>();
    /** The tokens whose bytes end at each node. */
    private final List<int[]> ends = new ArrayList<>();

    TokenTrie(TokenTexts texts) {
        ends.add(new int[0]);
        for (int id = 0; id < texts.size(); id++) {
            byte[] b = texts.bytes(id);
            if (b.length == 0 || texts.isSpecial(id)) {
                continue;
            }
            int node = 0;
            for (byte x : b) {
                long key = ((long) node << 8) | (x & 0xff);
                Integer child = edges.get(key);
                if (child == null) {
                    child = ends.size();
                    ends.add(new int[0]);
                    edges.put(key, child);
                }
                node = child;
            }
            int[] old = ends.get(node);
            int[] grown = java.util.Arrays.copyOf(old, old.length + 1);
            grown[old.length] = id;
            ends.set(node, grown);
        }
    }

    /** Calls {@code sink} with every token whose bytes equal {@code text[from, from + length)} for some length. */
    void prefixesAt(byte[] text, int from, IntConsumer sink) {
        int node = 0;
        for (int i = from; i < text.length; i++) {
            Integer child = edges.get(((long) node << 8) | (text[i] & 0xff));
            if (child == null) {
                return;
            }
            node = child;
            for (int id : ends.get(node)) {
                sink.accept(id);
            }
        }
    }
}
