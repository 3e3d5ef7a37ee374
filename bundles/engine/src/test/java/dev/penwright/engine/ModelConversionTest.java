package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.penwright.api.generate.GenerationOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConversionTest {
    @TempDir
    Path work;

    @Test
    void anF16CopyIsHalfTheSizeAndWritesTheSameGreedyText() throws Exception {
        Path f32 = TinyModels.write(work.resolve("f32"), "llama", true, 5);
        Path f16 = work.resolve("f16");
        int tensors = ModelConversion.convert(f32, f16, "F16");
        assertTrue(tensors > 0);
        long before = Files.size(f32.resolve("model.safetensors"));
        long after = Files.size(f16.resolve("model.safetensors"));
        assertTrue(after < before * 0.55, before + " -> " + after);
        assertTrue(Files.readString(f16.resolve("config.json")).contains("float16"));
        try (LanguageModel a = LanguageModel.load(f32); LanguageModel b = LanguageModel.load(f16)) {
            long[] prompt = a.encode("The quick brown fox", false);
            GenerationOptions greedy = GenerationOptions.greedy(8);
            assertEquals(a.generate(new GenerateRequest(prompt, greedy, null)).tokenIds(),
                    b.generate(new GenerateRequest(prompt, greedy, null)).tokenIds());
        }
    }
}
