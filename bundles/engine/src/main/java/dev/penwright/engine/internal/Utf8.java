package dev.penwright.engine.internal;

import java.util.Arrays;

/** Incremental UTF-8 decoding of a token stream whose tokens may split a character's bytes. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Decodes {@code pending + bytes}, appending the complete characters to {@code out} (an invalid byte becomes
     * U+FFFD, as the tokenizer's decoder makes it). @return the bytes of a character still incomplete
     */
    static byte[] feed(byte[] pending, byte[] bytes, StringBuilder out) {
        byte[] all;
        if (pending.length == 0) {
            all = bytes;
        } else {
            all = Arrays.copyOf(pending, pending.length + bytes.length);
            System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        }
        int i = 0;
        while (i < all.length) {
            int lead = all[i] & 0xff;
            int len = lead < 0x80 ? 1 : lead >= 0xC2 && lead < 0xE0 ? 2 : lead >= 0xE0 && lead < 0xF0 ? 3
                    : lead >= 0xF0 && lead < 0xF5 ? 4 : 0;
            if (len == 0) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            if (len == 1) {
                out.append((char) lead);
                i++;
                continue;
            }
            int cp = lead & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
            int j = 1;
            boolean bad = false;
            for (; j < len && i + j < all.length; j++) {
                int b = all[i + j] & 0xff;
                if ((b & 0xC0) != 0x80) {
                    bad = true;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (bad) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            if (j < len) {
                return Arrays.copyOfRange(all, i, all.length);
            }
            if (cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(cp);
            }
            i += len;
        }
        return new byte[0];
    }
}
