package dev.penwright.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.Shot;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.engine.Engine;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.LoraConfig;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.RandomModels;
import dev.penwright.engine.training.BpeTrainer;
import dev.penwright.models.ModelFolder;
import dev.penwright.planner.extractive.ExtractivePlanner;
import dev.penwright.stylepacks.StylePackJar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The model rows on a real (tiny, random) model through the engine: packs read from a trainer-like output folder
 * with one jar a stage, a rejected jar, installed packs replaced for the styles the folder serves, the base model
 * with few-shot exemplars whose prompts are fitted to the context, and the LLM row through an endpoint.
 */
class ModelRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path tmp;
    private static Engine engine;
    private static BaseModelInfo model;
    private static Path packsDir;
    private static Path zhPack;

    record Installed(StyleDescriptor descriptor, String version, Path directory) implements StylePack {
        public List<Exemplar> exemplars() { return List.of(); }
    }

    /** An endpoint that keeps the prompts and answers with the first shot's text. */
    static final class Recording implements LlmEndpoint {
        final List<String> prompts = Collections.synchronizedList(new ArrayList<>());
        final List<String> judged = Collections.synchronizedList(new ArrayList<>());
        public String id() { return "judge"; }
        public String model() { return "recording"; }
        public String chat(String system, String user, int maxTokens) {
            if (user.startsWith("SOURCE MATERIAL")) { // as the hallucination judge: every output drops a fact
                judged.add(user);
                return "{\"unsupported\": [], \"dropped\": [\"a fact\"], \"contradicted\": []}";
            }
            prompts.add(user);
            int at = user.indexOf("Text:\n");
            return at < 0 ? "nothing" : user.substring(at + 6, user.indexOf("\n\n---", at));
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        String corpora = System.getProperty("penwright.corpora");
        assumeTrue(corpora != null && Files.isDirectory(Path.of(corpora)), "corpora folder not present");
        tmp = Files.createTempDirectory("bench-model-rows");
        Path modelDir = tmp.resolve("models/tiny");
        int vocab = new BpeTrainer(400, BpeTrainer.DEFAULT_SPECIALS, 1).trainAndWrite(List.of(
                "A title. A summary of facts. The draft says things plainly.", "hacker n. A person who enjoys."),
                modelDir);
        RandomModels.write(modelDir, new ModelConfig("llama", vocab, 32, 64, 2, 4, 2, 8, 10000, 1e-6, 512, false,
                false, -1, List.of(0)), 4, "F32", 1);
        model = ModelFolder.read("tiny", modelDir);
        engine = new Engine();
        LanguageModel lm = engine.model(modelDir);
        Path adapter = tmp.resolve("adapter");
        try (LoraAdapter a = lm.createAdapter("p", LoraConfig.of(4, 8, LoraConfig.MODULES), 2, false)) {
            a.save(adapter);
        }
        // As the trainer leaves its output: the final pack, and one complete pack a completed stage.
        packsDir = tmp.resolve("out");
        jar(adapter, "jargon", "{\"sft\":{},\"selfImprovement\":[],\"dpo\":{\"steps\":3}}", packsDir.resolve("jargon-1.0.0.jar"));
        jar(adapter, "jargon", "{\"sft\":{},\"selfImprovement\":[]}", packsDir.resolve("stages/s-sft/jargon-1.0.0.jar"));
        jar(adapter, "jargon", "{\"sft\":{},\"selfImprovement\":[{\"round\":1}]}",
                packsDir.resolve("stages/self-improve/jargon-1.0.0.jar"));
        jar(adapter, "jargon", "{\"sft\":{},\"selfImprovement\":[],\"dpo\":{\"steps\":3}}",
                packsDir.resolve("stages/c-dpo/jargon-1.0.0.jar"));
        Path broken = styleFolder(adapter, "jargon", "{\"sft\":{}}", tmp.resolve("broken"));
        Files.writeString(broken.resolve("style.json"), Files.readString(broken.resolve("style.json"))
                .replace("\"tiny\"", "\"no-such-model\""));
        StylePackJar.write(packsDir.resolve("stages/s-sft/broken-1.0.0.jar"), "jargon", "1.0.0", broken);
        zhPack = styleFolder(adapter, "zh-fortunes", "{\"sft\":{},\"selfImprovement\":[]}", tmp.resolve("zh"));
    }

    private static Path styleFolder(Path adapter, String id, String report, Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.copy(adapter.resolve("adapter_config.json"), dir.resolve("adapter_config.json"));
        Files.copy(adapter.resolve("adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
        ObjectNode style = JSON.createObjectNode();
        style.put("id", id).put("name", id).put("language", "en").put("description", "test").put("baseModel", "tiny")
                .put("baseModelFingerprint", model.fingerprint()).put("license", "test").put("provenance", "test");
        style.putObject("defaults").put("maxNewTokens", 12).put("temperature", 0.0);
        JSON.writeValue(dir.resolve("style.json").toFile(), style);
        Files.writeString(dir.resolve("exemplars.jsonl"), "{\"id\":\"1\",\"text\":\"An exemplar.\"}\n");
        Files.writeString(dir.resolve("report.json"), report);
        return dir;
    }

    private static void jar(Path adapter, String id, String report, Path jar) throws Exception {
        Path dir = styleFolder(adapter, id, report, Files.createTempDirectory(tmp, "style"));
        StylePackJar.write(jar, id, "1.0.0", dir);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    private static ModelCatalog catalog() {
        return new ModelCatalog() {
            public List<BaseModelInfo> models() { return List.of(model); }
            public Optional<BaseModelInfo> find(String id) { return id.equals("tiny") ? Optional.of(model) : Optional.empty(); }
        };
    }

    @Test
    void packsFromAFolderFillTheStageRowsAndTheBaseAndLlmRowsRunFewShot() throws Exception {
        // Installed: an old jargon pack (replaced by the folder's) and a zh-fortunes pack (the folder has none).
        Installed oldJargon = new Installed(new StyleDescriptor("jargon", "jargon", "en", "", "tiny",
                model.fingerprint(), null, null, "", ""), "0.9.0", zhPack);
        Installed zh = new Installed(new StyleDescriptor("zh-fortunes", "zh-fortunes", "zh", "", "tiny",
                model.fingerprint(), null, null, "", ""), "1.0.0", zhPack);
        Recording llm = new Recording();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var planner = new ExtractivePlanner();
        int status = new picocli.CommandLine(new BenchNotesCommand(Map.of(planner.id(), planner), null,
                List.of(oldJargon, zh), engine, catalog(), List.of(llm),
                new PrintWriter(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--styles", "jargon,zh-fortunes", "--n", "3", "--json", "--judge", "--packs", packsDir.toString(),
                        "--corpora", System.getProperty("penwright.corpora"));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        JsonNode r = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        JsonNode jargon = r.at("/styles/0/rows");
        JsonNode zhRows = r.at("/styles/1/rows");
        for (int i = 0; i < 10; i++) {
            assertTrue(jargon.get(i).get("available").asBoolean(), jargon.get(i).toString());
            assertEquals(0, jargon.get(i).get("failures").asInt(), jargon.get(i).toString());
        }
        for (int i = 5; i <= 8; i++) {
            assertEquals("pack jargon@1.0.0", jargon.get(i).get("system").asText(), "the folder's pack, not 0.9.0");
        }
        // The shipped row is the final stage with the packs' own options; the ablation renders it without
        // copy-aware decoding.
        assertEquals("c-dpo", jargon.get(7).get("key").asText());
        assertTrue(jargon.get(7).get("shipped").asBoolean());
        assertEquals("c-dpo-plain", jargon.get(8).get("key").asText());
        assertFalse(jargon.get(8).get("shipped").asBoolean());
        assertEquals("pack zh-fortunes@1.0.0", zhRows.get(5).get("system").asText(), "installed, not in the folder");
        assertFalse(zhRows.get(6).get("available").asBoolean());
        assertEquals(4, r.at("/settings/packsLoaded").size(), r.at("/settings").toString());
        assertEquals(1, r.at("/settings/packsRejected").size());
        assertTrue(r.at("/settings/packsRejected/0").asText().contains("broken-1.0.0.jar: unknown base model 'no-such-model'"),
                r.at("/settings/packsRejected").toString());

        // The base row asks for 256 new tokens of a 512-token context: with a near-character tokenizer, shots are
        // dropped and long drafts cut, never an item failed.
        JsonNode base = jargon.get(4);
        assertEquals("base", base.get("key").asText());
        assertTrue(base.get("meanShots").asDouble() >= 0 && base.get("meanShots").asDouble() <= 2, base.toString());
        // The setting beside the fit: two exemplars were asked for, whatever fitted; pack rows were given none.
        assertEquals(2, base.get("shots").asInt(), base.toString());
        assertEquals(0, jargon.get(5).get("shots").asInt(), jargon.get(5).toString());
        assertTrue(jargon.get(0).get("shots").isNull(), "the original row has no prompt: " + jargon.get(0));
        assertEquals(2, r.at("/overall/4/shots").asInt());
        int cut = base.get("truncations").asInt() + zhRows.get(4).get("truncations").asInt();
        assertTrue(cut > 0, "some jargon or zh-fortunes prompt must have been cut: " + base);
        assertTrue(r.at("/overall/4/available").asBoolean());

        // The LLM row: two exemplars a prompt, from TRAIN (never the test text), then the plan.
        JsonNode llmRow = jargon.get(9);
        assertEquals(2.0, llmRow.get("meanShots").asDouble(), 1e-9);
        assertEquals(2, llmRow.get("shots").asInt());
        assertTrue(llmRow.get("system").asText().contains("judge"), llmRow.toString());
        assertEquals(6, llm.prompts.size());
        // --judge: the same endpoint rated every output of every row that ran (10 + 7 rows, 3 texts each).
        assertEquals(51, llm.judged.size());
        JsonNode draft = jargon.get(1);
        assertEquals(0.0, draft.get("factualHallucinationJudge").asDouble(), 1e-9);
        assertEquals(100.0, draft.get("faithfulnessHallucinationJudge").asDouble(), 1e-9);
        assertTrue(draft.at("/signatures/hallucinationJudge").asText().startsWith("judge:llm|endpoint:judge"));
        assertTrue(zhRows.get(6).get("factualHallucinationJudge").isNull(), "a row that did not run is not judged");
        for (String p : llm.prompts) {
            assertTrue(p.startsWith("Example 1\n\nPlan:\nTitle: "), p);
            assertTrue(p.contains("Example 2") && p.endsWith("Text:\n"), p);
        }
    }

    @Test
    void theLlmPromptShowsEachExemplarAfterItsPlanThenTheNewPlan() {
        ContentPlan shotPlan = new ContentPlan("Kettle", "It boils.", List.of("1.7 litres"), "The kettle boils.", "en", "x", null);
        ContentPlan plan = new ContentPlan("Lamp", "It lights.", List.of("40 W"), "The lamp lights.", "en", "x", null);
        String p = LlmFewShotSystem.prompt(List.of(new Shot(shotPlan, "KETTLE n. Boils 1.7 litres."),
                new Shot(null, "LAMP n. Bare.")), plan);
        assertEquals("""
                Example 1

                Plan:
                Title: Kettle
                Summary: It boils.
                Key facts:
                - 1.7 litres
                Neutral draft:
                The kettle boils.

                Text:
                KETTLE n. Boils 1.7 litres.

                ---

                Example 2

                Text:
                LAMP n. Bare.

                ---

                Now write the text of this plan in the style of the examples (language: en).

                Plan:
                Title: Lamp
                Summary: It lights.
                Key facts:
                - 40 W
                Neutral draft:
                The lamp lights.

                Text:
                """, p);
    }

    @Test
    void withoutAnEndpointTheLlmRowSaysWhy() {
        List<BenchSystem> rows = BenchNotesCommand.systems(null, List.of(), null, null, "no LLM endpoint is configured",
                0, 10);
        assertEquals("original", rows.get(0).key());
        assertEquals("llm-fewshot", rows.get(9).key());
        assertEquals(Optional.of("no LLM endpoint is configured"), rows.get(9).unavailableReason("jargon"));
    }
}
