package dev.penwright.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;

/** Tiny random models written by the tests: a BPE tokenizer trained on a few texts and a llama of that vocabulary. */
public final class Tiny {
    public static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun all day.",
            "Debian is a free operating system; packages describe themselves in plain words.",
            "A hacker is a person who enjoys exploring the details of programmable systems.",
            "Numbers like 42 and 3.14 appear, as do quotes: 'it's' and \"this\".",
            "Version 2.6 of the package adds support for 64 bit systems and fixes 12 bugs.",
            "The library provides functions to parse, edit and write configuration files.");

    private Tiny() {
    }

    public static ModelConfig config(int vocab, int hidden, int layers, int maxPositions) {
        return new ModelConfig("llama", vocab, hidden, hidden * 2, layers, 4, 2, hidden / 4, 10_000.0, 1e-6,
                maxPositions, true, false, -1, List.of(0));
    }

    /** A model folder with config.json, model.safetensors and tokenizer.json. */
    public static Path model(Path dir, List<String> texts, int hidden, int layers, long seed) throws IOException {
        Files.createDirectories(dir);
        int vocab = new BpeTrainer(400, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(texts, dir);
        RandomModels.write(dir, config(vocab, hidden, layers, 512), seed, "F32", 1);
        return dir;
    }
}
