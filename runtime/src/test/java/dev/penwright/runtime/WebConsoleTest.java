package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console page of bundle penwright-web ({@code /web/}) against the launched runtime: its routes over plain HTTP,
 * then the page itself in headless Chromium (Debian's chromium package, driven by puppeteer-core from
 * runtime/src/test/node): catalogue with an active and a rejected pack, playground to streamed text with scores, an
 * API error on display, a benchmark report from the runtime's docs/bench. Skipped without chromium or node.
 */
class WebConsoleTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOTS = Path.of("target", "web-console");

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        TinyModel.write(models, "tiny");
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), "house", "House", "tiny");
        Files.writeString(style.resolve("report.json"), "{\"note\": \"untrained test pack\", \"styleAccuracy\": 0.5,"
                + " \"faithfulness\": {\"factRecall\": 0.75, \"numbersKept\": 1.0}}");
        PackFixtures.writePack(deploy.resolve("house.jar"), style, "house", "1.0.0");
        Path orphan = PackFixtures.writeStyleFolder(work.resolve("orphan"), "orphan", "Orphan", "no-such-model");
        PackFixtures.writePack(deploy.resolve("orphan.jar"), orphan, "orphan", "0.3.0");
        // A benchmark report where './penwright bench notes' writes one by default: docs/bench under the home.
        Path report = Files.createDirectories(work.resolve("home/docs/bench/2026-11-25"));
        Files.writeString(report.resolve("notes.html"), "<!DOCTYPE html><title>notes</title><h1>Engine notes</h1>"
                + "<img src=\"latency.png\" alt=\"latency\">");
        writeChart(report.resolve("latency.png"));
        server = ServerProcess.start(work, deploy, models, "127.0.0.1",
                Map.of("dev.penwright.engine.styler", "defaultModel = tiny\n"));
        // /health answers before every bundle's servlets are registered.
        awaitReports(server, r -> r.path("exists").asBoolean());
    }

    /** The reports listing once it satisfies {@code ready} (within 15 s), else the last answer. */
    static JsonNode awaitReports(ServerProcess server, java.util.function.Predicate<JsonNode> ready)
            throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            var response = server.get("/web/reports/");
            if (response.statusCode() == 200) {
                last = ServerProcess.json(response);
                if (ready.test(last)) {
                    return last;
                }
            }
            Thread.sleep(50);
        }
        return last == null ? ServerProcess.JSON.createObjectNode() : last;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A small bar chart, as a report's figure would be. */
    static void writeChart(Path file) throws IOException {
        BufferedImage image = new BufferedImage(240, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 240, 120);
        g.setColor(new Color(0x2d5fa8));
        int[] bars = {40, 90, 65, 100};
        for (int i = 0; i < bars.length; i++) {
            g.fillRect(20 + i * 55, 115 - bars[i], 40, bars[i]);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void servesThePageAndTheReportsWithoutShadowingTheApi() throws Exception {
        var bare = server.get("/web");
        assertEquals(302, bare.statusCode());
        assertTrue(bare.headers().firstValue("Location").orElse("").endsWith("/web/"));
        var page = server.get("/web/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>Penwright console</title>"));
        assertTrue(server.get("/web/app.js").headers().firstValue("Content-Type").orElse("")
                .startsWith("text/javascript"));
        assertEquals("not_found", ServerProcess.errorCode(server.get("/web/nothing.js")));
        assertEquals(405, server.post("/web/", "{}").statusCode());

        JsonNode reports = ServerProcess.json(server.get("/web/reports/"));
        assertTrue(reports.path("exists").asBoolean(), reports.toString());
        assertEquals(List.of("2026-11-25/latency.png", "2026-11-25/notes.html"),
                reports.path("files").findValuesAsText("path").stream().sorted().toList());
        var chart = server.get("/web/reports/2026-11-25/latency.png");
        assertEquals(200, chart.statusCode());
        assertEquals("image/png", chart.headers().firstValue("Content-Type").orElse(""));
        assertEquals("report_not_found", ServerProcess.errorCode(server.get("/web/reports/2026-11-25/nothing.html")));
        Files.writeString(server.home.resolve("etc/secret.txt"), "not a report");
        // Encoded dots: Jetty refuses the ambiguous path itself (400) or it reaches the folder check (404).
        var encoded = server.get("/web/reports/%2e%2e/%2e%2e/etc/secret.txt");
        assertTrue(encoded.statusCode() == 400 || encoded.statusCode() == 404, encoded.toString());
        assertFalse(encoded.body().contains("not a report"));
        assertFalse(server.get("/web/reports/../../etc/secret.txt").body().contains("not a report"));
        assertFalse(server.get("/web/reports/2026-11-25/../../../etc/secret.txt").body().contains("not a report"));

        // The API keeps its own routes and JSON answers.
        assertTrue(ServerProcess.json(server.get("/v1/styles")).path("styles").isArray());
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    void reportsDirFromConfigAdminReplacesTheDefaultFolder() throws Exception {
        Path other = work.resolve("other");
        Path elsewhere = Files.createDirectories(other.resolve("shared-reports/run-7"));
        Files.writeString(elsewhere.resolve("summary.md"), "# run 7");
        Files.createDirectories(other.resolve("home/docs/bench"));
        Files.writeString(other.resolve("home/docs/bench/ignored.md"), "# not this one");
        Path deploy = Files.createDirectories(other.resolve("deploy"));
        Path models = Files.createDirectories(other.resolve("models"));
        try (ServerProcess configured = ServerProcess.start(other, deploy, models, "127.0.0.1",
                Map.of("dev.penwright.web", "reportsDir = " + other.resolve("shared-reports") + "\n"))) {
            // Config Admin delivers etc/ files asynchronously: the servlet may first run with the default folder.
            // The open listing names the folder relative to the home, never by its absolute path.
            JsonNode reports = awaitReports(configured, r -> r.path("dir").asText().equals("../shared-reports"));
            assertEquals("../shared-reports", reports.path("dir").asText());
            assertEquals(List.of("run-7/summary.md"), reports.path("files").findValuesAsText("path"));
            assertEquals("# run 7", configured.get("/web/reports/run-7/summary.md").body());
        }
    }

    @Test
    void cataloguePlaygroundAndReportsWorkInHeadlessChromium() throws Exception {
        Path dir = ServerProcess.RUNTIME.resolve("src/test/node");
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium package is not installed");
        Assumptions.assumeTrue(onPath("node"), "node is not installed");
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("node_modules/puppeteer-core")),
                "run 'npm install' in runtime/src/test/node first");
        Path shots = Files.createDirectories(SCREENSHOTS.toAbsolutePath());
        long started = System.nanoTime();
        Process node = new ProcessBuilder(List.of("node", "web-console-check.mjs", "http://127.0.0.1:" + server.port,
                "house", "orphan", CHROMIUM.toString(), shots.toString()))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, node.exitValue(), output);
        JsonNode seen = ServerProcess.JSON.readTree(output.strip().lines().reduce((a, b) -> b).orElseThrow());
        System.out.printf("[measure] web console in headless chromium: %d ms; saw %s%n",
                (System.nanoTime() - started) / 1_000_000, seen);

        assertTrue(seen.path("url").asText().endsWith("/web/"), seen.toString());
        assertEquals(List.of("house (House)", "ACTIVE", "1.0.0", "en", "tiny", ""), texts(seen.path("activeRow")));
        List<String> rejected = texts(seen.path("rejectedRow"));
        assertEquals("REJECTED", rejected.get(1));
        assertTrue(rejected.get(5).contains("unknown base model 'no-such-model'"), rejected.toString());
        assertTrue(seen.path("report").asText().contains("untrained test pack"), seen.toString());
        assertTrue(seen.path("health").asText().matches("ok · styles: 1 · rejected: 1 · up \\d+ (s|min) · .+"),
                "the header reads as a person would say it: " + seen.path("health"));
        for (String view : List.of("catalogueWidth", "reportsWidth")) {
            JsonNode w = seen.path(view);
            assertTrue(w.path(0).asInt() > 0 && w.path(0).asInt() <= w.path(1).asInt(),
                    view + ": the page is no wider than the 1,400 px window " + w);
        }
        assertTrue(seen.path("report").asText().contains("factRecall0.7500"), seen.toString());

        assertTrue(seen.path("facts").toString().contains("64419"), seen.toString());
        assertEquals("done", seen.path("status").asText(), seen.toString());
        assertFalse(seen.path("article").asText().isBlank(), seen.toString());
        assertTrue(seen.path("growth").asInt() > 1, "the article arrived in one piece: " + seen);
        assertTrue(seen.path("scores").size() > 0, seen.toString());
        assertTrue(seen.path("timings").asText().startsWith("house@1.0.0"), seen.toString());

        assertEquals("404", seen.path("errorStatus").asText(), seen.toString());
        assertTrue(seen.path("errorText").asText().contains(seen.path("errorCode").asText()), seen.toString());

        assertEquals(List.of("2026-11-25/notes.html", "2026-11-25/latency.png"), texts(seen.path("reportFiles")));
        assertEquals(240, seen.path("chartWidth").asInt());
        assertEquals("Engine notes", seen.path("reportHeading").asText());
        assertEquals(0, seen.path("errors").size(), seen.toString());
        for (String png : List.of("catalogue.png", "playground.png", "playground-error.png", "reports.png")) {
            assertTrue(Files.size(shots.resolve(png)) > 10_000, png);
        }
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
