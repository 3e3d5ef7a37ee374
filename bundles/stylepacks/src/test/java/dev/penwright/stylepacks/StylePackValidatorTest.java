package dev.penwright.stylepacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.models.ModelFolder;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StylePackValidatorTest {
    @TempDir
    Path work;
    Path style;
    StylePackValidator validator;
    BaseModelInfo base;

    @BeforeEach
    void setUp() throws IOException {
        Path modelDir = PackFixtures.writeModel(work.resolve("models"), "tiny");
        base = ModelFolder.read("tiny", modelDir);
        validator = new StylePackValidator(new OneModel(base));
        style = PackFixtures.writeStyleFolder(work.resolve("style"), "house", "House voice", "tiny");
    }

    @Test
    void aCompletePackIsAccepted() throws Exception {
        ValidatedStyle valid = validator.validate(style, "house");
        assertEquals("House voice", valid.descriptor().name());
        assertEquals(2, valid.exemplars().size());
        assertEquals("The first exemplar.", valid.exemplars().get(0).text());
    }

    @Test
    void formWordsAreReadFromTheirFileOrNone() throws Exception {
        assertEquals(List.of(), validator.validate(style, "house").vocabulary().formWords());
        Files.writeString(style.resolve(StylePackFormat.FORM_WORDS), "n\nadj\n\n1\n");
        ValidatedStyle valid = validator.validate(style, "house");
        assertEquals(List.of("n", "adj", "1"), valid.vocabulary().formWords());
        assertEquals(List.of("The", "exemplar"), valid.vocabulary().words(), "the vocabulary is still the exemplars'");
        Files.writeString(style.resolve(StylePackFormat.FORM_WORDS), "n.\n");
        assertReason("form-words.txt line 1: 'n.' is not one word");
    }

    @Test
    void formOpenersAreReadBesideTheFormWordsAndAMalformedLineIsRefused() throws Exception {
        Files.writeString(style.resolve(StylePackFormat.FORM_WORDS), "n\nvt\n");
        Files.writeString(style.resolve(StylePackFormat.FORM_OPENERS), "to\tvt\t3\na\tn\t9\n");
        assertEquals(java.util.Map.of("to", java.util.Map.of("vt", 3), "a", java.util.Map.of("n", 9)),
                validator.validate(style, "house").vocabulary().formOpeners().counts());
        Files.writeString(style.resolve(StylePackFormat.FORM_OPENERS), "to\tvt\n");
        assertReason("form-openers.tsv line 1 is not 'word TAB form word TAB count'");
    }

    @Test
    void labelLinesAreReadAndChecked() throws Exception {
        assertEquals(List.of(), validator.validate(style, "house").vocabulary().labelLines());
        Files.writeString(style.resolve(StylePackFormat.LABEL_LINES), "提示\n\n注意事项\nSee also\n");
        assertEquals(List.of("提示", "注意事项", "See also"), validator.validate(style, "house").vocabulary().labelLines());
        Files.writeString(style.resolve(StylePackFormat.LABEL_LINES), "提示\n" + "x".repeat(40) + "\n");
        assertReason("label-lines.txt line 2: 'xxxxxxxxxxxx…' is not a label");
    }

    @Test
    void theVocabularyIsReadFromItsFileOrComputedFromTheExemplars() throws Exception {
        // No vocabulary.txt: words in at least two of the (two) exemplars.
        assertEquals(List.of("The", "exemplar"), validator.validate(style, "house").vocabulary().words());
        Files.writeString(style.resolve(StylePackFormat.VOCABULARY), "Jargon\n\nMIT\n1963\n项\n");
        assertEquals(List.of("Jargon", "MIT", "1963", "项"), validator.validate(style, "house").vocabulary().words());
        Files.writeString(style.resolve(StylePackFormat.VOCABULARY), "Jargon\nJargon File\n");
        assertReason("vocabulary.txt line 2: 'Jargon File' is not one word");
        Files.writeString(style.resolve(StylePackFormat.VOCABULARY), "项目\n");
        assertReason("vocabulary.txt line 1: '项目' is not one word");
    }

    @Test
    void whetherTheStyleSignsOffIsReadFromItsExemplarsWhateverVocabularyFileItHas() throws Exception {
        assertFalse(validator.validate(style, "house").vocabulary().signsOff());
        Files.writeString(style.resolve(StylePackFormat.EXEMPLARS),
                "{\"id\":\"1\",\"title\":\"\",\"text\":\"春眠不觉晓。\\n    -- 孟浩然《春晓》\"}\n"
                + "{\"id\":\"2\",\"title\":\"\",\"text\":\"无事田中走。\\n    --《谚语》\"}\n");
        assertTrue(validator.validate(style, "house").vocabulary().signsOff());
        Files.writeString(style.resolve(StylePackFormat.VOCABULARY), "Jargon\n");
        assertTrue(validator.validate(style, "house").vocabulary().signsOff(), "with a vocabulary.txt too");
    }

    @Test
    void copyAwareDefaultsAreReadAndCheckedFromStyleJson() throws Exception {
        Path json = style.resolve("style.json");
        String original = Files.readString(json);
        Files.writeString(json, original.replace("\"license\"", "\"defaults\":{\"temperature\":0.9,"
                + "\"copyBias\":3.0,\"factGuard\":true,\"minCoverage\":0.7},\"license\""));
        var d = validator.validate(style, "house").descriptor().defaults();
        assertEquals(0.9, d.temperature());
        assertEquals(3.0, d.copyBias());
        assertEquals(Boolean.TRUE, d.factGuard());
        assertEquals(0.7, d.minCoverage());
        Files.writeString(json, original.replace("\"license\"", "\"defaults\":{\"minCoverage\":1.5},\"license\""));
        assertReason("minCoverage must be between 0 and 1");
    }

    @Test
    void aJarIsReadBackWithoutInstallingItThenValidated() throws Exception {
        Path jar = work.resolve("packs/house-1.2.0.jar");
        StylePackJar.write(jar, "house", "1.2.0", style);
        Path out = work.resolve("read");
        StylePackJar.Header header = StylePackJar.read(jar, out);
        assertEquals(new StylePackJar.Header("house", "1.2.0"), header);
        assertEquals(Files.readString(style.resolve("style.json")), Files.readString(out.resolve("style.json")));
        assertEquals("House voice", validator.validate(out, header.styleId()).descriptor().name());

        Path notJar = Files.writeString(work.resolve("notes.jar"), "not a zip");
        assertTrue(assertThrows(InvalidStylePackException.class, () -> StylePackJar.read(notJar, work.resolve("x")))
                .getMessage().startsWith("not a jar"));
        Path plain = work.resolve("plain.jar");
        try (var zip = new java.util.jar.JarOutputStream(Files.newOutputStream(plain), new java.util.jar.Manifest())) {
            zip.putNextEntry(new java.util.jar.JarEntry("style/../../evil.txt"));
            zip.closeEntry();
        }
        assertTrue(assertThrows(InvalidStylePackException.class, () -> StylePackJar.read(plain, work.resolve("y")))
                .getMessage().contains("Penwright-StylePack"));
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue(StylePackFormat.HEADER, "house");
        Path evil = work.resolve("evil.jar");
        try (var zip = new java.util.jar.JarOutputStream(Files.newOutputStream(evil), m)) {
            zip.putNextEntry(new java.util.jar.JarEntry("style/../../evil.txt"));
            zip.closeEntry();
        }
        assertTrue(assertThrows(InvalidStylePackException.class, () -> StylePackJar.read(evil, work.resolve("z")))
                .getMessage().contains("path traversal"));
        assertTrue(Files.notExists(work.resolve("evil.txt")));
    }

    @Test
    void theFingerprintMustMatchWhenGiven() throws Exception {
        String json = Files.readString(style.resolve("style.json"));
        Files.writeString(style.resolve("style.json"),
                json.replace("\"baseModel\"", "\"baseModelFingerprint\":\"" + base.fingerprint() + "\",\"baseModel\""));
        validator.validate(style, "house");
        Files.writeString(style.resolve("style.json"),
                json.replace("\"baseModel\"", "\"baseModelFingerprint\":\"0123456789abcdef\",\"baseModel\""));
        assertReason("has fingerprint");
    }

    @Test
    void eachDefectHasItsReason() throws Exception {
        assertEquals("style.json id 'house' differs from the Penwright-StylePack header 'other'",
                assertThrows(InvalidStylePackException.class, () -> validator.validate(style, "other")).getMessage());

        Files.writeString(style.resolve("exemplars.jsonl"), "{\"text\":\"ok\"}\n{broken\n");
        assertReason("exemplars.jsonl line 2: not JSON");

        Files.writeString(style.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":0,\"target_modules\":[\"q_proj\"]}");
        assertReason("adapter_config.json: \"r\" must be a positive integer");

        Files.writeString(style.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":3,\"target_modules\":[\"q_proj\"]}");
        assertReason("has rank 2 but adapter_config.json says r=3");

        Files.writeString(style.resolve("style.json"), "{\"id\":\"house\",\"name\":\"x\",\"language\":\"en\"}");
        assertReason("style.json: missing or empty \"baseModel\"");

        Files.delete(style.resolve("exemplars.jsonl"));
        assertReason("missing style/exemplars.jsonl");
    }

    @Test
    void adapterTensorsMustBePeftLoraPairs() throws Exception {
        PackFixtures.writeSafetensors(style.resolve("adapter_model.safetensors"),
                java.util.Map.of("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new int[] {2, 16}),
                new java.util.Random(1), false);
        assertReason("has only one of lora_A and lora_B");
        PackFixtures.writeSafetensors(style.resolve("adapter_model.safetensors"),
                java.util.Map.of("model.layers.0.self_attn.q_proj.weight", new int[] {16, 16}), new java.util.Random(1),
                false);
        assertReason("is not a PEFT LoRA weight");
    }

    @Test
    void aPackJarRoundTripsThroughTheWriter() throws Exception {
        Path jar = PackFixtures.writePack(work.resolve("house.jar"), style, "house", "1.2.0");
        assertEquals("house.jar", DeployFolder.targetName(jar));
        Path landed = new DeployFolder(work.resolve("deploy")).deploy(jar);
        assertTrue(Files.isRegularFile(landed));
        assertEquals(Files.size(jar), Files.size(landed));
        try (var stream = Files.list(work.resolve("deploy"))) {
            assertEquals(List.of(landed), stream.toList(), "no .part file left behind");
        }
    }

    private void assertReason(String expected) {
        String reason = assertThrows(InvalidStylePackException.class, () -> validator.validate(style, "house"))
                .getMessage();
        assertTrue(reason.contains(expected), "reason was: " + reason);
    }

    /** The catalog of one real model folder. */
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
