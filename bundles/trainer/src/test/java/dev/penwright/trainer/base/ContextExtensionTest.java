package dev.penwright.trainer.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.RandomModels;
import dev.penwright.trainer.Tiny;

/** --max-positions: a continued model gets a longer context, same weights, and then accepts longer prompts. */
class ContextExtensionTest {
    @TempDir
    Path dir;

    @Test
    void aLongerContextKeepsTheWeightsAndAcceptsLongerSequences() throws Exception {
        Path init = dir.resolve("init");
        RandomModels.write(init, Tiny.config(64, 32, 2, 128), 7L, "F32", 1);
        Path out = dir.resolve("out");
        Path extended = StartingModel.withContext(init, 256, out);
        assertEquals(out.resolve("init-context-256"), extended);
        try (LanguageModel a = LanguageModel.load(init); LanguageModel b = LanguageModel.load(extended)) {
            assertEquals(128, a.config().maxPositions());
            assertEquals(256, b.config().maxPositions());
            long[] prompt = new long[20];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = (i * 7 + 3) % 64;
            }
            long[] next = {5, 9, 11};
            // Same weights: the same log-probabilities within the old context.
            assertArrayEquals(a.score(prompt, next, null), b.score(prompt, next, null), 1e-6);
            long[] longPrompt = new long[200];
            assertThrows(RuntimeException.class, () -> a.score(longPrompt, next, null));
            assertEquals(3, b.score(longPrompt, next, null).length);
        }
        // Not longer than the model's own: the init folder itself.
        assertEquals(init, StartingModel.withContext(init, 128, out));
        assertEquals(init, StartingModel.withContext(init, 0, out));
        assertEquals(List.of(), List.of(Files.list(out).filter(p -> !p.equals(extended)).toArray()));
    }
}
