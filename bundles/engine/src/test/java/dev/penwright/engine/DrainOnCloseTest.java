package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.training.BpeTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a model (its engine's bundle stops or is updated) finishes the generations in flight, then refuses. */
class DrainOnCloseTest {
    @TempDir
    Path tmp;

    @Test
    void generationsInFlightFinishWhenTheModelCloses() throws Exception {
        Path dir = tmp.resolve("tiny");
        int vocab = new BpeTrainer(300, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(
                List.of("The archive checks packages and writes manifests."), dir);
        RandomModels.write(dir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 512, false, false,
                -1, List.of()), 4, "F32", 1);
        LanguageModel model = LanguageModel.load(dir);
        long[] prompt = model.encode("The archive");
        // No end-of-text id in this config: each generation runs its full length.
        CompletableFuture<Generation> first = model.submit(new GenerateRequest(prompt, GenerationOptions.greedy(300), null));
        CompletableFuture<Generation> second = model.submit(new GenerateRequest(prompt, GenerationOptions.greedy(200), null));
        model.close();
        assertEquals(300, first.get().tokenIds().size());
        assertEquals(200, second.get().tokenIds().size());
        // Refused once closed, by the model or by its scheduler.
        assertThrows(Exception.class, () -> model.submit(new GenerateRequest(prompt, GenerationOptions.greedy(5), null)).get());
    }
}
