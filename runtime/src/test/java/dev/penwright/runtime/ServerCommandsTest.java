package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server bundle's one-shot commands, run as a user runs them: {@code generate article} and {@code models}. */
class ServerCommandsTest {
    @TempDir
    static Path work;
    static Path home;
    static Path deploy;
    static Path models;

    @BeforeAll
    static void setUp() throws Exception {
        models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, "tiny");
        deploy = Files.createDirectories(work.resolve("deploy"));
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), "house", "House", "tiny");
        PackFixtures.writePack(deploy.resolve("house.jar"), style, "house", "1.2.0");
        home = ServerProcess.home(work, Map.of("dev.penwright.engine.styler", "defaultModel = tiny\n"));
    }

    record Run(int status, String out) {
    }

    static Run run(String... args) throws Exception {
        List<String> command = ServerProcess.launcherCommand();
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PENWRIGHT_HOME", home.toString());
        builder.environment().put("PENWRIGHT_DEPLOY", deploy.toString());
        builder.environment().put("PENWRIGHT_MODELS", models.toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        return new Run(process.exitValue(), out);
    }

    @Test
    void generateArticleWritesThroughThePipeline() throws Exception {
        Run json = run("generate", "article", "--style", "house", "--max-tokens", "6", "--seed", "1", "--json",
                "Debian 12 was released in June 2023.");
        assertEquals(0, json.status(), json.out());
        JsonNode result = ServerProcess.JSON.readTree(json.out().substring(json.out().indexOf('{')));
        assertEquals("house@1.2.0", result.path("styleRef").asText());
        assertTrue(result.path("generatedTokens").asInt() > 0 && result.path("generatedTokens").asInt() <= 6);
        assertTrue(result.path("plan").path("keyFacts").toString().contains("2023"), json.out());

        Run text = run("generate", "article", "--style", "house", "--max-tokens", "6", "--brief", "the release");
        assertEquals(0, text.status(), text.out());
        assertTrue(text.out().contains("style house@1.2.0, model tiny"), text.out());

        Run unknown = run("generate", "article", "--style", "nope", "some text");
        assertEquals(2, unknown.status(), unknown.out());
        assertTrue(unknown.out().contains("error style_not_found"), unknown.out());
        Run empty = run("generate", "article", "--style", "house");
        assertEquals(2, empty.status(), empty.out());
        Run help = run("generate", "article", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--best-of"), help.out());
    }

    @Test
    void modelsListsBaseModelsWithTheirStyles() throws Exception {
        Run text = run("models");
        assertEquals(0, text.status(), text.out());
        assertTrue(text.out().contains("tiny  (llama"), text.out());
        assertTrue(text.out().contains("house@1.2.0"), text.out());
        Run json = run("models", "--json");
        JsonNode body = ServerProcess.JSON.readTree(json.out().substring(json.out().indexOf('{')));
        assertEquals("tiny", body.path("models").get(0).path("id").asText());
        assertEquals("tiny", body.path("styles").get(0).path("parent").asText());
        assertFalse(run("models", "--help").out().isEmpty());
    }
}
