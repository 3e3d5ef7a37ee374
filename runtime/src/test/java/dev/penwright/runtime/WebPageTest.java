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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in headless Chromium (Debian's chromium package, driven by puppeteer-core from
 * runtime/src/test/node): catalogue, report, plan, streamed article with scores.
 */
class WebPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, "tiny");
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), "house", "House", "tiny");
        PackFixtures.writePack(deploy.resolve("house.jar"), style, "house", "1.0.0");
        server = ServerProcess.start(work, deploy, models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = tiny\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void servesThePageFilesAndRedirectsTheRoot() throws Exception {
        var root = server.get("/");
        assertEquals(302, root.statusCode());
        assertTrue(root.headers().firstValue("Location").orElse("").endsWith("/ui/"));
        var page = server.get("/ui/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>Penwright</title>"));
        assertTrue(server.get("/ui/app.js").headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(404, server.get("/ui/../etc/passwd").statusCode());
        assertEquals("not_found", ServerProcess.errorCode(server.get("/ui/nothing.js")));
    }

    @Test
    void catalogueAndPlaygroundWorkInHeadlessChromium() throws Exception {
        Path dir = ServerProcess.RUNTIME.resolve("src/test/node");
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("node_modules/puppeteer-core")),
                "run 'npm install' in runtime/src/test/node first");
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium package is not installed");
        Process node = new ProcessBuilder(List.of("node", "ui-check.mjs", "http://127.0.0.1:" + server.port, "house",
                CHROMIUM.toString())).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(180, TimeUnit.SECONDS));
        assertEquals(0, node.exitValue(), output);
        JsonNode seen = ServerProcess.JSON.readTree(output.strip().lines().reduce((a, b) -> b).orElseThrow());
        System.out.println("[measure] headless chromium saw " + seen);
        assertTrue(seen.path("url").asText().endsWith("/ui/"));
        assertTrue(seen.path("health").asText().startsWith("ok"), seen.toString());
        assertEquals("house", seen.path("row").get(0).asText());
        assertTrue(seen.path("report").asText().contains("untrained test pack"));
        assertTrue(seen.path("facts").toString().contains("64419"), seen.toString());
        assertEquals("done", seen.path("status").asText(), seen.toString());
        assertFalse(seen.path("article").asText().isEmpty());
        assertTrue(seen.path("timings").asText().startsWith("house@1.0.0"), seen.toString());
        assertEquals(0, seen.path("errors").size(), seen.toString());
    }
}
