package dev.penwright.trainer.base;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.penwright.engine.ModelConfig;

/**
 * A model shape written as {@code d512-l8} (width, layers), optionally {@code -h8} (heads; default d/64) and
 * {@code -kv4} (key/value heads; default = heads). The SwiGLU width is 8/3·d rounded up to a multiple of 64, as in
 * Llama.
 */
public record Shape(int width, int layers, int heads, int kvHeads) {
    private static final Pattern FORMAT = Pattern.compile("d(\\d+)-l(\\d+)(?:-h(\\d+))?(?:-kv(\\d+))?");

    public static Shape parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("shape '" + text + "' is not dWIDTH-lLAYERS[-hHEADS][-kvKVHEADS],"
                    + " for example d512-l8");
        }
        int d = Integer.parseInt(m.group(1));
        int l = Integer.parseInt(m.group(2));
        int h = m.group(3) == null ? Math.max(1, d / 64) : Integer.parseInt(m.group(3));
        int kv = m.group(4) == null ? h : Integer.parseInt(m.group(4));
        if (d < 8 || l < 1 || d % h != 0 || h % kv != 0 || (d / h) % 2 != 0) {
            throw new IllegalArgumentException("shape '" + text + "': width must divide into heads of even size and"
                    + " heads into key/value heads");
        }
        return new Shape(d, l, h, kv);
    }

    public int intermediate() {
        int raw = (int) Math.ceil(width * 8.0 / 3.0);
        return (raw + 63) / 64 * 64;
    }

    public ModelConfig config(int vocab, int maxPositions, int eosId) {
        return new ModelConfig("llama", vocab, width, intermediate(), layers, heads, kvHeads, width / heads, 10_000.0,
                1e-5, maxPositions, true, false, -1, List.of(eosId));
    }

    @Override
    public String toString() {
        return "d" + width + "-l" + layers + "-h" + heads + "-kv" + kvHeads;
    }
}
