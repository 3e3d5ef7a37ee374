package dev.penwright.engine.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.engine.BpeTrainer;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;

class StyleRendererTest {
    @TempDir
    Path tmp;

    record Pack(StyleDescriptor descriptor, String version, Path directory) implements StylePack {
        @Override
        public List<Exemplar> exemplars() {
            return List.of();
        }
    }

    @Test
    void rendersWithThePacksAdapterTemplateAndDefaults() throws Exception {
        Path modelDir = tmp.resolve("tiny");
        int vocab = new BpeTrainer(320, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(
                List.of("A title. A summary of facts. The draft says things plainly.", "Debian packages: 42 of them."), modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 256, false, false,
                -1, List.of(0)), 4, "F32", 1);
        BaseModelInfo info = new BaseModelInfo("tiny", modelDir, "llama", "fp-1", 1000);
        try (Engine engine = new Engine()) {
            LanguageModel model = engine.model(modelDir);
            Path packDir = tmp.resolve("pack");
            try (LoraAdapter a = model.createAdapter("p", LoraConfig.of(4, 8, LoraConfig.MODULES), 2, false)) {
                a.save(packDir);
            }
            GenerationOptions defaults = new GenerationOptions(12, 0.0, 0, 1.0, 1.0, 0L, List.of());
            StyleDescriptor d = new StyleDescriptor("terse", "Terse", "en", "short", "tiny", "fp-1",
                    "<|plan|>{title}: {facts}<|text|>", defaults, "CC0", "test");
            Pack pack = new Pack(d, "1.0.0", packDir);
            ContentPlan plan = new ContentPlan("A title", "A summary", List.of("42 packages"), "The draft", "en", "x", null);
            StyleRenderer r = new StyleRenderer(engine, id -> id.equals("tiny") ? info : null, "");
            StringBuilder streamed = new StringBuilder();
            StyledText out = r.style(new StyleRequest(plan, pack, null), streamed::append).toCompletableFuture().join();
            assertEquals("tiny", out.modelId());
            assertEquals("terse@1.0.0", out.styleRef());
            assertEquals(out.text(), streamed.toString());
            // The same prompt and adapter straight through the engine give the same text.
            long[] ids = model.encode(new PromptTemplate(d.promptTemplate()).render(plan));
            assertEquals(ids.length, out.promptTokens());
            String direct = model.generate(new GenerateRequest(ids, defaults, engine.adapter(model, packDir))).text();
            assertEquals(direct, out.text());
            assertTrue(out.generatedTokens() > 0 && out.generatedTokens() <= 12);

            Pack stale = new Pack(new StyleDescriptor("terse", "Terse", "en", "", "tiny", "fp-OTHER", null, null, "", ""),
                    "1.0.1", packDir);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> r.style(new StyleRequest(plan, stale, null), null).toCompletableFuture().join());
            assertTrue(e.getCause() instanceof GenerationException g && g.getMessage().contains("fp-OTHER"), e.getMessage());
            CompletionException none = assertThrows(CompletionException.class,
                    () -> r.style(new StyleRequest(plan, null, null), null).toCompletableFuture().join());
            assertTrue(none.getCause().getMessage().contains("no default model"), none.getMessage());
        }
    }
}
