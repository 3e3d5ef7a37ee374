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

    @Test
    void anAdapterConvertedToF16InPlaceIsHalfTheSizeAndKeepsItsWeightsToHalfPrecision() throws Exception {
        Path base = TinyModels.write(work.resolve("base"), "llama", true, 5);
        try (LanguageModel model = LanguageModel.load(base)) {
            LoraAdapter adapter = model.createAdapter("a", LoraConfig.of(4, 8, LoraConfig.MODULES), 3, false);
            Path dir = work.resolve("adapter");
            adapter.save(dir);
            long before = Files.size(dir.resolve("adapter_model.safetensors"));
            float[] a0 = adapterWeights(dir);
            assertEquals(2 * 7 * 2, ModelConversion.convertAdapter(dir, dir, "F16")); // A and B, 7 modules, 2 layers
            long after = Files.size(dir.resolve("adapter_model.safetensors"));
            assertTrue(after < before * 0.65, before + " -> " + after); // half the data; the JSON header stays
            assertTrue(Files.exists(dir.resolve("adapter_config.json")));
            float[] a1 = adapterWeights(dir);
            for (int i = 0; i < a0.length; i++) {
                assertEquals(a0[i], a1[i], Math.abs(a0[i]) * 1e-3 + 1e-7, "element " + i);
            }
            // The trainer's way: saved straight as F16, loaded back as the same adapter.
            Path direct = work.resolve("direct");
            adapter.save(direct, "F16");
            assertEquals(after, Files.size(direct.resolve("adapter_model.safetensors")));
            try (LoraAdapter back = model.loadAdapter(direct)) {
                long[] prompt = {5, 6, 7};
                GenerationOptions greedy = GenerationOptions.greedy(6);
                assertEquals(model.generate(new GenerateRequest(prompt, greedy, adapter)).tokenIds(),
                        model.generate(new GenerateRequest(prompt, greedy, back)).tokenIds());
            }
            adapter.close();
        }
    }

    /** Every tensor of the adapter file, concatenated in file order, as F32. */
    private static float[] adapterWeights(Path dir) throws Exception {
        dev.penwright.engine.internal.Safetensors st = dev.penwright.engine.internal.Safetensors.open(
                dir.resolve("adapter_model.safetensors"));
        java.util.List<Float> all = new java.util.ArrayList<>();
        for (String name : new java.util.TreeSet<>(st.tensors().keySet())) {
            for (float v : st.readF32Array(name)) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }
}
