package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.penwright.engine.training.BpeTrainer;

/** Tiny random models written by the tests themselves: config.json, safetensors and a trained tokenizer.json. */
final class TinyModels {
    static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog. The dog sleeps.",
            "Debian is a free operating system; packages describe themselves in plain words.",
            "要有礼貌。在 Debian 这种规模的项目中，很难避免遇到与你意见不和的人。",
            "A hacker is a person who enjoys exploring the details of programmable systems.",
            "Numbers like 42 and 3.14 appear, as do quotes: 'it's' and \"this\".");

    private TinyModels() {
    }

    static ModelConfig config(String arch, int vocab, boolean tied) {
        boolean bias = arch.equals("qwen2");
        return new ModelConfig(arch, vocab, 32, 64, 2, 4, 2, 8, arch.equals("qwen2") ? 1_000_000.0 : 10_000.0, 1e-6,
                96, tied, bias, -1, List.of(0));
    }

    /** Writes a tokenizer trained on {@link #TEXTS} and a random model whose vocabulary matches it. */
    static Path write(Path dir, String arch, boolean tied, long seed) throws IOException {
        Files.createDirectories(dir);
        int vocab = new BpeTrainer(320, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(TEXTS, dir);
        RandomModels.write(dir, config(arch, vocab, tied), seed, "F32", 1);
        return dir;
    }

    static long[] ids(int... v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    static List<Integer> concat(long[] a, List<Integer> b) {
        List<Integer> out = new ArrayList<>();
        for (long x : a) {
            out.add((int) x);
        }
        out.addAll(b);
        return out;
    }
}
