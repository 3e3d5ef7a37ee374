package dev.penwright.styler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.engine.BpeTrainer;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.models.ModelFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallModelStylerTest {
    private static final List<String> TEXTS = List.of(
            "Debian is a free operating system; packages describe themselves in plain words.",
            "A hacker is a person who enjoys exploring the details of programmable systems.",
            "要有礼貌。在 Debian 这种规模的项目中，很难避免遇到与你意见不和的人。");
    private static final ContentPlan PLAN = new ContentPlan("hacker", "A person who enjoys systems.",
            List.of("programmable systems"), "A hacker enjoys exploring programmable systems.", "en", "test", null);

    @TempDir
    static Path work;
    static SmallModelStyler styler;
    static StylePack zeroPack;
    static StylePack randomPack;

    record Pack(StyleDescriptor descriptor, String version, Path directory, List<Exemplar> exemplars)
            implements StylePack {
    }

    @BeforeAll
    static void setUp() throws Exception {
        Path modelDir = Files.createDirectories(work.resolve("models/tiny"));
        int vocab = new BpeTrainer(300, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(TEXTS, modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10_000.0, 1e-6, 256, true,
                false, -1, List.of(0)), 11, "F32", 1);
        BaseModelInfo info = ModelFolder.read("tiny", modelDir);
        try (LanguageModel model = LanguageModel.load(modelDir)) {
            LoraConfig lora = LoraConfig.of(4, 8, List.of("q_proj", "v_proj"));
            // A large alpha makes the random adapter's effect large enough to change greedy choices of a tiny model.
            LoraConfig strong = LoraConfig.of(4, 4000, List.of("q_proj", "v_proj", "o_proj", "down_proj"));
            try (var zero = model.createAdapter("zero", lora, 1, true);
                 var random = model.createAdapter("random", strong, 2, false)) {
                zero.save(work.resolve("zero"));
                random.save(work.resolve("random"));
            }
        }
        GenerationOptions packDefaults = new GenerationOptions(12, 0.0, 0, 1.0, 1.0, 0L, List.of());
        zeroPack = new Pack(descriptor("zero", "tiny", packDefaults), "1.0.0", work.resolve("zero"), List.of());
        randomPack = new Pack(descriptor("random", "tiny", packDefaults), "1.0.0", work.resolve("random"), List.of());
        styler = new SmallModelStyler(new OneModel(info), config());
    }

    @AfterAll
    static void tearDown() {
        styler.deactivate();
    }

    @Test
    void aZeroAdapterWritesWhatTheBaseModelWrites() {
        GenerationOptions greedy = GenerationOptions.greedy(12);
        StyledText base = styler.style(new StyleRequest(PLAN, null, greedy), null).toCompletableFuture().join();
        StyledText styled = styler.style(new StyleRequest(PLAN, zeroPack, greedy), null).toCompletableFuture().join();
        assertEquals(base.text(), styled.text());
        assertEquals("zero@1.0.0", styled.styleRef());
        assertEquals("tiny", styled.modelId());
        assertTrue(styled.generatedTokens() > 0 && styled.generatedTokens() <= 12);
    }

    @Test
    void aTrainedAdapterChangesTheOutputAndStreamsWhatItReturns() {
        StringBuilder streamed = new StringBuilder();
        StyledText base = styler.style(new StyleRequest(PLAN, null, GenerationOptions.greedy(12)), null)
                .toCompletableFuture().join();
        StyledText styled = styler.style(new StyleRequest(PLAN, randomPack, GenerationOptions.UNSET), streamed::append)
                .toCompletableFuture().join();
        assertFalse(base.text().equals(styled.text()), "a random adapter left the output unchanged");
        assertTrue(streamed.toString().startsWith(styled.text()), streamed + " vs " + styled.text());
        assertTrue(styled.generatedTokens() <= 12, "the pack's default max tokens applies");
    }

    @Test
    void aPackOnAMissingBaseModelFailsWithTheReason() {
        StylePack orphan = new Pack(descriptor("orphan", "nowhere", GenerationOptions.UNSET), "1.0.0",
                work.resolve("zero"), List.of());
        CompletionException e = assertThrows(CompletionException.class,
                () -> styler.style(new StyleRequest(PLAN, orphan, null), null).toCompletableFuture().join());
        assertTrue(e.getCause().getMessage().contains("needs base model 'nowhere'"), e.getCause().getMessage());
    }

    private static StyleDescriptor descriptor(String id, String base, GenerationOptions defaults) {
        return new StyleDescriptor(id, id, "en", "", base, "", "", defaults, "", "");
    }

    private static SmallModelStyler.Config config() {
        return new SmallModelStyler.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SmallModelStyler.Config.class;
            }

            @Override
            public String defaultModel() {
                return "";
            }

            @Override
            public int maxNewTokensLimit() {
                return 1024;
            }

            @Override
            public int maxAdapters() {
                return 4;
            }
        };
    }

    private record OneModel(BaseModelInfo model) implements ModelCatalog {
        @Override
        public List<BaseModelInfo> models() {
            return List.of(model);
        }

        @Override
        public Optional<BaseModelInfo> find(String id) {
            return id.equals(model.id()) ? Optional.of(model) : Optional.empty();
        }
    }
}
