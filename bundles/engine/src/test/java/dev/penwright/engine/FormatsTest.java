package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.engine.internal.HalfFloats;
import dev.penwright.engine.internal.Safetensors;

class FormatsTest {
    @TempDir
    Path tmp;

    @Test
    void safetensorsRoundTripInEveryDtype() throws Exception {
        float[] v = {0f, 1f, -2.5f, 3.14159f, 1e-3f, -65504f, 1e-8f};
        Map<String, Safetensors.Entry> e = new LinkedHashMap<>();
        e.put("b.f32", new Safetensors.Entry(v, new long[] {7}, "F32"));
        e.put("a.f16", new Safetensors.Entry(v, new long[] {1, 7}, "F16"));
        e.put("c.bf16", new Safetensors.Entry(v, new long[] {7, 1}, "BF16"));
        Path f = tmp.resolve("t.safetensors");
        Safetensors.write(f, e, Map.of("format", "pt"));
        Safetensors st = Safetensors.open(f);
        assertEquals(List.of("b.f32", "a.f16", "c.bf16"), List.copyOf(st.tensors().keySet()), "order kept");
        assertEquals("pt", st.metadata().get("format"));
        assertArrayEquals(v, st.readF32Array("b.f32"));
        assertArrayEquals(new long[] {1, 7}, st.tensors().get("a.f16").shape());
        float[] h = st.readF32Array("a.f16");
        float[] b = st.readF32Array("c.bf16");
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], h[i], Math.max(1e-7, Math.abs(v[i]) * 1e-3), "f16 " + i);
            assertEquals(v[i], b[i], Math.abs(v[i]) * 8e-3, "bf16 " + i);
        }
        assertEquals(1f, HalfFloats.f16ToF32((short) 0x3c00));
        assertEquals(-2f, HalfFloats.f16ToF32((short) 0xc000));
        assertEquals(Float.intBitsToFloat(0x3f800000), Float.intBitsToFloat((HalfFloats.f32ToBf16(1f) & 0xffff) << 16));
    }

    @Test
    void halfPrecisionAndShardedCheckpointsLoadLikeF32() throws Exception {
        ModelConfig c = TinyModels.config("llama", 300, false);
        Path f32 = tmp.resolve("f32");
        Path bf16 = tmp.resolve("bf16");
        Path sharded = tmp.resolve("sharded");
        RandomModels.write(f32, c, 3, "F32", 1);
        RandomModels.write(bf16, c, 3, "BF16", 1);
        RandomModels.write(sharded, c, 3, "F32", 3);
        assertTrue(Files.exists(sharded.resolve("model-00002-of-00003.safetensors")));
        long[] prompt = TinyModels.ids(1, 2, 3, 4);
        try (LanguageModel a = LanguageModel.load(f32); LanguageModel s = LanguageModel.load(sharded);
             LanguageModel h = LanguageModel.load(bf16)) {
            double[] x = a.score(prompt, TinyModels.ids(5, 6, 7), null);
            assertArrayEquals(x, s.score(prompt, TinyModels.ids(5, 6, 7), null), 1e-6);
            assertArrayEquals(x, h.score(prompt, TinyModels.ids(5, 6, 7), null), 0.1);
        }
    }

    @Test
    void peftAdapterRoundTrip() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), "qwen2", false, 5);
        try (LanguageModel model = LanguageModel.load(dir)) {
            LoraConfig cfg = new LoraConfig(4, 16, List.of("q_proj", "k_proj", "v_proj", "o_proj", "down_proj"),
                    Map.of("down_proj", 2), Map.of("q_proj", 4.0), false, "tiny-qwen2");
            try (LoraAdapter a = model.createAdapter("a", cfg, 9, false)) {
                Path out = tmp.resolve("adapter");
                a.save(out);
                Safetensors st = Safetensors.open(out.resolve("adapter_model.safetensors"));
                assertTrue(st.tensors().containsKey("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"));
                assertTrue(st.tensors().containsKey("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"));
                assertArrayEquals(new long[] {32, 2}, st.tensors().get("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight").shape());
                try (LoraAdapter b = model.loadAdapter(out)) {
                    assertEquals(cfg, b.config());
                    assertEquals(a.tensors().keySet(), b.tensors().keySet());
                    for (String name : a.tensors().keySet()) {
                        assertArrayEquals(a.tensors().get(name).toFloatArray(), b.tensors().get(name).toFloatArray(), name);
                    }
                    for (int i = 0; i < a.modules().size(); i++) {
                        assertEquals(a.modules().get(i).scale(), b.modules().get(i).scale());
                    }
                    long[] p = TinyModels.ids(4, 5, 6);
                    assertEquals(model.generate(new GenerateRequest(p, GenerationOptions.greedy(6), a)).tokenIds(),
                            model.generate(new GenerateRequest(p, GenerationOptions.greedy(6), b)).tokenIds());
                }
            }
        }
    }

    @Test
    void anAdapterWrittenWithoutMakingItIsTheOneCreateMakes() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), "qwen2", false, 5);
        try (LanguageModel model = LanguageModel.load(dir)) {
            // Per-module ranks and a module left out: the stream of draws must follow create's order exactly.
            LoraConfig cfg = new LoraConfig(4, 16, List.of("q_proj", "v_proj", "gate_proj", "down_proj"),
                    Map.of("down_proj", 2), Map.of(), false, "tiny-qwen2");
            Path made = tmp.resolve("made");
            Path written = tmp.resolve("written");
            try (LoraAdapter a = model.createAdapter("a", cfg, 11, false)) {
                a.save(made, "BF16");
            }
            LoraAdapter.writeRandom(written, model.config(), cfg, 11, false, "BF16");
            assertArrayEquals(Files.readAllBytes(made.resolve("adapter_model.safetensors")),
                    Files.readAllBytes(written.resolve("adapter_model.safetensors")));
            assertEquals(LoraConfig.read(made.resolve("adapter_config.json")),
                    LoraConfig.read(written.resolve("adapter_config.json")));
        }
    }

    @Test
    void aHalfPrecisionModelHoldsItsAdaptersInItsOwnDtype() throws Exception {
        ModelConfig c = TinyModels.config("llama", 300, false);
        Path model = tmp.resolve("bf16-base");
        RandomModels.write(model, c, 4, "BF16", 1);
        Path adapterDir = tmp.resolve("bf16-adapter");
        LoraConfig cfg = new LoraConfig(4, 16, LoraConfig.MODULES, Map.of("o_proj", 2), Map.of(), false, "");
        try (LanguageModel m = LanguageModel.loadF32(model); LoraAdapter made = m.createAdapter("a", cfg, 7, false)) {
            made.save(adapterDir, "BF16");
        }
        long[] prompt = TinyModels.ids(1, 2, 3, 4);
        long[] next = TinyModels.ids(5, 6, 7);
        try (LanguageModel exact = LanguageModel.loadF32(model); LanguageModel half = LanguageModel.load(model);
             LoraAdapter a32 = exact.loadAdapter(adapterDir); LoraAdapter a16 = half.loadAdapter(adapterDir)) {
            assertFalse(a32.isHalf());
            assertTrue(a16.isHalf(), "held in the model's BF16");
            for (int l = 0; l < c.numLayers(); l++) {
                for (int g = 0; g < dev.penwright.engine.internal.LoraGroup.COUNT; g++) {
                    assertTrue(a16.fusedA(l, g).getDataType() != ai.djl.ndarray.types.DataType.FLOAT32
                            && a16.fusedB(l, g).getDataType() != ai.djl.ndarray.types.DataType.FLOAT32, "two bytes");
                    // A is the file's BF16 exactly; scale·B is rounded to BF16 once (8 bits of mantissa).
                    assertArrayEquals(a32.fusedA(l, g).toFloatArray(), a16.widened(a16.fusedA(l, g)).toFloatArray());
                    float[] b32 = a32.fusedB(l, g).toFloatArray();
                    float[] b16 = a16.widened(a16.fusedB(l, g)).toFloatArray();
                    for (int i = 0; i < b32.length; i++) {
                        assertEquals(b32[i], b16[i], Math.abs(b32[i]) / 128, "layer " + l + " group " + g + " B[" + i + "]");
                    }
                }
            }
            double[] without = half.score(prompt, next, null);
            double[] got = half.score(prompt, next, a16);
            assertArrayEquals(exact.score(prompt, next, a32), got, 0.1, "as the F32 path, within BF16's rounding");
            double moved = 0;
            for (int i = 0; i < got.length; i++) {
                moved = Math.max(moved, Math.abs(got[i] - without[i]));
            }
            assertTrue(moved > 0.3, "the adapter changes the log-probs (by " + moved + ")");
            // Merged into the half-precision weights (held in oneDNN's blocked layout where the CPU multiplies BF16):
            // the merged copy is F32 and scores as the adapter applied per product.
            try (LanguageModel merged = half.merge(a16)) {
                assertArrayEquals(got, merged.score(prompt, next, null), 0.1, "merged as applied");
            }
            // A batch that mixes the half adapter with a row without one stacks both widened to F32, once.
            try (ai.djl.ndarray.NDManager scratch = ai.djl.ndarray.NDManager.newBaseManager()) {
                dev.penwright.engine.internal.LoraBatch mixed = dev.penwright.engine.internal.RowAdapters.of(
                        java.util.Arrays.asList(a16, null), c.numLayers(), scratch);
                for (dev.penwright.engine.internal.LoraGroup g : dev.penwright.engine.internal.LoraGroup.values()) {
                    assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, mixed.at(0, g).getDataType(), g + " A");
                    assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, mixed.bt(0, g).getDataType(), g + " B");
                }
                ((dev.penwright.engine.internal.RowAdapters) mixed).close();
            }
            GenerationOptions greedy = GenerationOptions.greedy(4);
            List<Generation> batch = half.generateAll(List.of(new GenerateRequest(prompt, greedy, a16),
                    new GenerateRequest(prompt, greedy, null)), 2);
            Generation alone = half.generate(new GenerateRequest(prompt, greedy, a16));
            Generation plain = half.generate(new GenerateRequest(prompt, greedy, null));
            assertEquals(alone.tokenIds(), batch.get(0).tokenIds());
            assertEquals(plain.tokenIds(), batch.get(1).tokenIds());
            for (int i = 0; i < alone.logprobs().size(); i++) {
                // 1e-3 where the batch stacks the adapter in F32; side by side (a CPU with AVX512-BF16) its rank
                // activations are rounded to BF16, as PEFT computes a BF16 model's LoRA.
                assertEquals(alone.logprobs().get(i), batch.get(0).logprobs().get(i), 1e-2);
            }
        }
    }

    @Test
    void adapterOnSomeLayersOnly() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m2"), "llama", false, 8);
        try (LanguageModel model = LanguageModel.load(dir)) {
            Path ad = tmp.resolve("partial");
            try (LoraAdapter a = model.createAdapter("a", LoraConfig.of(2, 4, List.of("q_proj")), 1, false)) {
                a.save(ad);
            }
            Map<String, Safetensors.Entry> kept = new LinkedHashMap<>();
            Safetensors st = Safetensors.open(ad.resolve("adapter_model.safetensors"));
            for (var t : st.tensors().values()) {
                if (t.name().contains("layers.1.")) {
                    kept.put(t.name(), new Safetensors.Entry(st.readF32Array(t.name()), t.shape()));
                }
            }
            Safetensors.write(ad.resolve("adapter_model.safetensors"), kept, Map.of("format", "pt"));
            Path cfg = ad.resolve("adapter_config.json");
            assertThrows(ModelFormatException.class, () -> model.loadAdapter(ad), "layer 0 missing without layers_to_transform");
            Files.writeString(cfg, Files.readString(cfg).replaceFirst("\\{", "{\"layers_to_transform\": [1],"));
            try (LoraAdapter b = model.loadAdapter(ad)) {
                assertEquals(2, b.tensors().size());
            }
        }
    }

    @Test
    void badFilesNameTheFileAndTensor() throws Exception {
        ModelConfig c = TinyModels.config("llama", 300, false);
        // Missing tensor.
        Path missing = tmp.resolve("missing");
        RandomModels.write(missing, c, 1, "F32", 1);
        Map<String, Safetensors.Entry> t = RandomModels.tensors(c, 1, "F32");
        t.remove("model.layers.1.mlp.up_proj.weight");
        Safetensors.write(missing.resolve("model.safetensors"), t, Map.of());
        String m = assertThrows(ModelFormatException.class, () -> LanguageModel.load(missing)).getMessage();
        assertTrue(m.contains("model.safetensors") && m.contains("model.layers.1.mlp.up_proj.weight") && m.contains("missing"), m);

        // Wrong shape.
        Path wrong = tmp.resolve("wrong");
        RandomModels.write(wrong, c, 1, "F32", 1);
        t = RandomModels.tensors(c, 1, "F32");
        t.put("model.layers.0.self_attn.k_proj.weight", new Safetensors.Entry(new float[32 * 32], 32, 32));
        Safetensors.write(wrong.resolve("model.safetensors"), t, Map.of());
        m = assertThrows(ModelFormatException.class, () -> LanguageModel.load(wrong)).getMessage();
        assertTrue(m.contains("model.layers.0.self_attn.k_proj.weight") && m.contains("wrong shape [32, 32], expected [16, 32]"), m);

        // Unknown architecture.
        Path gpt = tmp.resolve("gpt");
        RandomModels.write(gpt, c, 1, "F32", 1);
        Files.writeString(gpt.resolve("config.json"), Files.readString(gpt.resolve("config.json")).replace("\"llama\"", "\"gpt_neox\""));
        m = assertThrows(ModelFormatException.class, () -> LanguageModel.load(gpt)).getMessage();
        assertTrue(m.contains("config.json") && m.contains("unknown architecture") && m.contains("gpt_neox"), m);

        // Corrupt headers: length beyond the file, then not JSON, then offsets beyond the data.
        Path corrupt = tmp.resolve("corrupt.safetensors");
        Files.write(corrupt, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        m = assertThrows(ModelFormatException.class, () -> Safetensors.open(corrupt)).getMessage();
        assertTrue(m.contains("corrupt.safetensors") && m.contains("corrupt safetensors header"), m);
        byte[] notJson = "{\"a\": [".getBytes(StandardCharsets.UTF_8);
        Files.write(corrupt, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(notJson.length).array(), notJson));
        m = assertThrows(ModelFormatException.class, () -> Safetensors.open(corrupt)).getMessage();
        assertTrue(m.contains("not JSON"), m);
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(corrupt, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array(), header, new byte[8]));
        m = assertThrows(ModelFormatException.class, () -> Safetensors.open(corrupt)).getMessage();
        assertTrue(m.contains("tensor 'w'") && m.contains("data_offsets"), m);

        // An adapter made for another base (hidden size 48, not 32).
        Path base = TinyModels.write(tmp.resolve("base"), "llama", false, 2);
        Path otherDir = tmp.resolve("other");
        RandomModels.write(otherDir, new ModelConfig("llama", 300, 48, 64, 2, 4, 2, 12, 10000, 1e-6, 96, false, false,
                -1, List.of(0)), 1, "F32", 1);
        try (LanguageModel other = LanguageModel.load(otherDir); LanguageModel model = LanguageModel.load(base);
             LoraAdapter foreign = other.createAdapter("x", LoraConfig.of(4, 8, List.of("q_proj")), 1, false)) {
            Path ad = tmp.resolve("foreign");
            foreign.save(ad);
            m = assertThrows(ModelFormatException.class, () -> model.loadAdapter(ad)).getMessage();
            assertTrue(m.contains("adapter_model.safetensors") && m.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                    && m.contains("another base model"), m);
            // And an adapter whose config targets a module its file lacks.
            Files.writeString(ad.resolve("adapter_config.json"), Files.readString(ad.resolve("adapter_config.json"))
                    .replace("\"q_proj\"", "\"q_proj\", \"v_proj\""));
            m = assertThrows(ModelFormatException.class, () -> other.loadAdapter(ad)).getMessage();
            assertTrue(m.contains("v_proj.lora_A.weight") && m.contains("missing tensor"), m);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
