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
import dev.penwright.api.style.Shot;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;

class StyleRendererTest {
    @TempDir
    Path tmp;

    record Pack(StyleDescriptor descriptor, String version, Path directory) implements StylePack {
        @Override
        public List<Exemplar> exemplars() {
            return List.of();
        }
    }

    /** The span handed to copy-aware decoding is the plan's text, without the template's markup or the shots. */
    @Test
    void thePlanSpanIsThePlansTextInThePrompt() throws Exception {
        Path modelDir = tmp.resolve("tiny");
        int vocab = new BpeTrainer(320, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(
                List.of("A title. A summary of facts. The draft says things plainly.", "Debian packages: 42 of them."), modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 256, false, false,
                -1, List.of(0)), 4, "F32", 1);
        try (Engine engine = new Engine()) {
            LanguageModel model = engine.model(modelDir);
            ContentPlan plan = new ContentPlan("Debian", "", List.of(), "The draft says 42 packages.", "en", "t", null);
            PromptTemplate compact = new PromptTemplate(PromptTemplate.PLAN + "{title}\n{draft}\n" + PromptTemplate.TEXT);
            List<Shot> shots = List.of(new Shot(new ContentPlan("A title", "", List.of(), "A summary of facts.", "en",
                    "t", null), "The draft says things plainly."));
            StyleRenderer.Fitted fitted = StyleRenderer.fit(model, compact, plan, shots, 16);
            assertEquals(1, fitted.shots());
            int[] span = StyleRenderer.planSpan(model, compact, fitted);
            long[] planIds = java.util.Arrays.copyOfRange(fitted.ids(), span[0], span[1]);
            assertEquals("Debian\nThe draft says 42 packages.", model.decode(planIds));
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

    @Test
    void fewShotPromptsDropShotsThenCutTheDraftToLeaveRoomForTheNewTokens() throws Exception {
        Path modelDir = tmp.resolve("tiny");
        int vocab = new BpeTrainer(320, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(
                List.of("A title. A summary of facts. The draft says things plainly.", "Debian packages: 42 of them."), modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 256, false, false,
                -1, List.of(0)), 4, "F32", 1);
        BaseModelInfo info = new BaseModelInfo("tiny", modelDir, "llama", "fp-1", 1000);
        try (Engine engine = new Engine()) {
            LanguageModel model = engine.model(modelDir);
            StyleRenderer r = new StyleRenderer(engine, id -> id.equals("tiny") ? info : null, "tiny");
            ContentPlan shotPlan = new ContentPlan("Shot", "A short one", List.of("7 packages"), "Short draft", "en", "x", null);
            List<Shot> shots = List.of(new Shot(shotPlan, "The shot text."), new Shot(null, "A bare exemplar text."));
            ContentPlan small = new ContentPlan("A title", "A summary", List.of("42 packages"), "The draft", "en", "x", null);
            GenerationOptions eight = new GenerationOptions(8, 0.0, 0, 1.0, 1.0, 0L, List.of());

            // Everything fits: both shots, whole draft, and the prompt is exactly the template's few-shot rendering.
            StyledText all = r.style(new StyleRequest(small, null, eight, shots), null).toCompletableFuture().join();
            String rendered = PromptTemplate.DEFAULT.render(small, shots);
            assertTrue(rendered.startsWith(PromptTemplate.DEFAULT.render(shotPlan) + "The shot text." + PromptTemplate.END
                    + PromptTemplate.TEXT + "A bare exemplar text." + PromptTemplate.END), rendered);
            assertEquals(model.encode(rendered).length, all.promptTokens());
            assertEquals(2, all.shotsUsed());
            assertTrue(!all.planTruncated());

            // Room for the plan and one shot only: the last shot goes, the draft stays whole.
            int withOne = model.encode(PromptTemplate.DEFAULT.render(small, shots.subList(0, 1))).length;
            int maxNew = 256 - withOne;
            StyledText one = r.style(new StyleRequest(small, null, new GenerationOptions(maxNew, 0.0, 0, 1.0, 1.0, 0L,
                    List.of()), shots), null).toCompletableFuture().join();
            assertEquals(1, one.shotsUsed());
            assertEquals(withOne, one.promptTokens());
            assertTrue(!one.planTruncated());

            // A draft far past the context: no shots, the draft cut so that prompt + 100 new tokens fit, but not
            // dropped (the prompt is longer than with no draft at all), and title, summary and facts are kept.
            String longDraft = "The draft says things plainly and at length. ".repeat(200);
            ContentPlan big = new ContentPlan("A title", "A summary", List.of("42 packages"), longDraft, "en", "x", null);
            StyleRenderer.Fitted f = StyleRenderer.fit(model, PromptTemplate.DEFAULT, big, shots, 100);
            assertEquals(0, f.shots());
            assertTrue(f.planTruncated());
            assertTrue(f.ids().length <= 156, "prompt " + f.ids().length);
            int noDraft = model.encode(PromptTemplate.DEFAULT.render(new ContentPlan("A title", "A summary",
                    List.of("42 packages"), "", "en", "x", null))).length;
            assertTrue(f.ids().length > noDraft + 20, f.ids().length + " vs " + noDraft);
            String text = model.decode(f.ids());
            assertTrue(text.contains("A title") && text.contains("A summary") && text.contains("42 packages"), text);
            StyledText cut = r.style(new StyleRequest(big, null, new GenerationOptions(100, 0.0, 0, 1.0, 1.0, 0L,
                    List.of()), shots), null).toCompletableFuture().join();
            assertTrue(cut.planTruncated());
            assertEquals(f.ids().length, cut.promptTokens());
            // With copy-aware decoding the draft goes section by section instead, until the request's 100 new
            // tokens are spent: the sections left unwritten count as a cut plan.
            StyledText sectioned = r.style(new StyleRequest(big, null, new GenerationOptions(100, 0.0, 0, 1.0, 1.0, 0L,
                    List.of()).withCopyAware(4.0, false, 0.7), shots), null).toCompletableFuture().join();
            assertTrue(sectioned.planTruncated());
            assertTrue(sectioned.generatedTokens() <= 100, "generated " + sectioned.generatedTokens());

            // Even without a draft the plan would fill the context: facts go from the end until 64 tokens are free,
            // the title stays, and nothing fails.
            List<String> many = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                many.add("fact number " + i + " about packages");
            }
            ContentPlan huge = new ContentPlan("A title", "A summary", many, longDraft, "en", "x", null);
            StyleRenderer.Fitted h = StyleRenderer.fit(model, PromptTemplate.DEFAULT, huge, List.of(), 100);
            assertTrue(h.planTruncated());
            assertTrue(h.ids().length <= 256 - 64 && h.ids().length > 100, "prompt " + h.ids().length);
            String kept = model.decode(h.ids());
            assertTrue(kept.contains("A title") && kept.contains("fact number 0 ") && !kept.contains("fact number 199"), kept);
        }
    }

    /**
     * A draft several times the model's context is written whole, in order: section by section, each continuing the
     * text so far, the copy cursor walking each section. The model is random, so only copy-aware decoding makes it
     * write the draft at all; without sections it would stop where the context ends.
     */
    @Test
    void aDraftLongerThanTheContextIsWrittenWholeSectionBySection() throws Exception {
        Path modelDir = tmp.resolve("tiny");
        List<String> sentences = new java.util.ArrayList<>();
        String[] subjects = {"The archive", "A parser", "Each daemon", "Our mirror", "The library", "Every tool"};
        String[] verbs = {"checks", "writes", "reads", "signs", "indexes", "compresses"};
        String[] objects = {"packages", "manifests", "headers", "tarballs", "keyrings", "changelogs"};
        for (int i = 0; i < 90; i++) {
            sentences.add(subjects[i % 6] + " " + verbs[(i / 6) % 6] + " " + objects[(i / 36 + i) % 6] + " number " + i + ".");
        }
        String draft = String.join(" ", sentences);
        int vocab = new BpeTrainer(400, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(List.of(draft), modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 256, false, false,
                -1, List.of(0)), 4, "F32", 1);
        BaseModelInfo info = new BaseModelInfo("tiny", modelDir, "llama", "fp-1", 1000);
        try (Engine engine = new Engine()) {
            LanguageModel model = engine.model(modelDir);
            int draftTokens = model.encode(draft, false).length;
            assertTrue(draftTokens > 2 * 256, "draft of " + draftTokens + " tokens");
            StyleRenderer r = new StyleRenderer(engine, id -> id.equals("tiny") ? info : null, "tiny");
            ContentPlan plan = new ContentPlan("Tools", "", List.of(), draft, "en", "x", null);
            GenerationOptions copying = new GenerationOptions(4 * draftTokens, 0.0, 0, 1.0, 1.0, 0L, List.of())
                    .withCopyAware(30.0, false, 1.0);
            StringBuilder streamed = new StringBuilder();
            StyledText out = r.style(new StyleRequest(plan, null, copying), streamed::append).toCompletableFuture().join();
            assertTrue(!out.planTruncated(), out.text());
            // Every word of the draft, in order (the random model may add layout and punctuation between them).
            List<String> want = words(draft);
            List<String> got = words(out.text());
            int at = 0;
            for (String w : got) {
                if (at < want.size() && w.equals(want.get(at))) {
                    at++;
                }
            }
            assertEquals(want.size(), at, "the text wrote " + at + " of the draft's " + want.size()
                    + " words in order: " + out.text());
            assertTrue(out.promptTokens() > 256, "one prompt of " + out.promptTokens() + " tokens?");
            assertTrue(out.text().contains("number 0.") && out.text().contains("number 89."), out.text());
        }
    }

    private static List<String> words(String s) {
        return java.util.Arrays.stream(s.split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty()).toList();
    }
}
