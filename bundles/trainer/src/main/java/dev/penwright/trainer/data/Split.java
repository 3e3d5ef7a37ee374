package dev.penwright.trainer.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The deterministic train/validation/test split. A record's part depends on its id only: the first eight bytes of
 * SHA-256(UTF-8 bytes of the id), read as an unsigned big-endian number, modulo 100; buckets 0–79 train, 80–89
 * validation, 90–99 test. So the split does not move when lines are added, removed or reordered, and any other tool
 * can recompute it.
 */
public enum Split {
    TRAIN, VALIDATION, TEST;

    public static final int TRAIN_PERCENT = 80;
    public static final int VALIDATION_PERCENT = 10;

    /** The bucket 0..99 of an id. */
    public static int bucket(String id) {
        byte[] h = sha256(id.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return (int) Long.remainderUnsigned(v, 100);
    }

    public static Split of(String id) {
        int b = bucket(id);
        return b < TRAIN_PERCENT ? TRAIN : b < TRAIN_PERCENT + VALIDATION_PERCENT ? VALIDATION : TEST;
    }

    /** The records of this part, in their original order. */
    public <T> List<T> select(List<T> records, Function<T, String> id) {
        List<T> out = new ArrayList<>();
        for (T r : records) {
            if (of(id.apply(r)) == this) {
                out.add(r);
            }
        }
        return out;
    }

    /** A hex SHA-256, used for ids of records that have none (alpaca, preference). */
    public static String contentId(String... parts) {
        byte[] h = sha256(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(h, 0, 12);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
