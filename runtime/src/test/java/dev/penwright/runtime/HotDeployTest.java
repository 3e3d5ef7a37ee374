package dev.penwright.runtime;

import dev.penwright.stylepacks.testing.PackFixtures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the launcher as a separate process with an empty deploy folder and drives hot deployment through the file
 * system and HTTP, as an administrator would: no restart anywhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotDeployTest {
    private static final String BASE = "tiny-base";

    @TempDir
    static Path work;
    static Path deploy;
    static Path models;
    static ServerProcess launcher;

    @BeforeAll
    static void start() throws Exception {
        deploy = Files.createDirectories(work.resolve("deploy"));
        models = Files.createDirectories(work.resolve("models"));
        PackFixtures.writeModel(models, BASE);
        long started = System.nanoTime();
        launcher = ServerProcess.start(work, deploy, models, "127.0.0.1", java.util.Map.of());
        System.out.printf("[measure] launcher start to healthy: %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    @Order(1)
    void packIsListedWithinOneSecondThenUpdatedThenRemoved() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("it-style"), "it-style", "IT style", BASE);
        Path v1 = PackFixtures.writePack(work.resolve("v1/it-style.jar"), style, "it-style", "1.0.0");
        Path v2 = PackFixtures.writePack(work.resolve("v2/it-style.jar"), style, "it-style", "1.1.0");

        long dropped = System.nanoTime();
        drop(v1, "it-style.jar");
        JsonNode active = awaitStyle("it-style", e -> e.path("version").asText().equals("1.0.0"), Duration.ofSeconds(10));
        long listedMillis = (System.nanoTime() - dropped) / 1_000_000;
        System.out.printf("[measure] deploy latency (drop to listed): %d ms%n", listedMillis);
        assertEquals("ACTIVE", active.path("state").asText());
        assertEquals("IT style", active.path("name").asText());
        assertEquals(BASE, active.path("baseModel").asText());
        assertTrue(listedMillis < 1000, "listed after " + listedMillis + " ms");

        // The update: while it happens, every answer lists the style at the old or the new version.
        dropped = System.nanoTime();
        drop(v2, "it-style.jar");
        List<String> seen = new ArrayList<>();
        JsonNode updated = null;
        while (System.nanoTime() - dropped < Duration.ofSeconds(10).toNanos()) {
            Optional<JsonNode> entry = entry("it-style");
            String version = entry.map(e -> e.path("state").asText() + " " + e.path("version").asText()).orElse("absent");
            seen.add(version);
            if (version.equals("ACTIVE 1.1.0")) {
                updated = entry.get();
                break;
            }
            Thread.sleep(10);
        }
        long updateMillis = (System.nanoTime() - dropped) / 1_000_000;
        System.out.printf("[measure] update latency (drop to new version listed): %d ms%n", updateMillis);
        assertTrue(updated != null, "new version never listed; saw " + seen);
        assertTrue(seen.stream().allMatch(v -> v.equals("ACTIVE 1.0.0") || v.equals("ACTIVE 1.1.0")),
                "style missing or rejected during the update: " + seen);
        assertTrue(updateMillis < 1000, "new version listed after " + updateMillis + " ms");

        Files.delete(deploy.resolve("it-style.jar"));
        awaitAbsent("it-style", Duration.ofSeconds(10));
        assertEquals(200, launcher.get("/health").statusCode());
    }

    @Test
    @Order(2)
    void badPacksAreRejectedWithTheirReasonAndNothingElseIsAffected() throws Exception {
        Path goodStyle = PackFixtures.writeStyleFolder(work.resolve("good"), "good", "Good", BASE);
        drop(PackFixtures.writePack(work.resolve("good.jar"), goodStyle, "good", "1.0.0"), "good.jar");
        awaitStyle("good", e -> e.path("state").asText().equals("ACTIVE"), Duration.ofSeconds(10));

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("no-style-json", "missing style/style.json");
        expected.put("bad-style-json", "style.json: malformed JSON");
        expected.put("no-adapter", "missing style/adapter_model.safetensors");
        expected.put("corrupt-header", "corrupt safetensors header");
        expected.put("unknown-base", "unknown base model 'no-such-model'");
        for (String id : expected.keySet()) {
            Path dir = PackFixtures.writeStyleFolder(work.resolve("bad-" + id), id, id, BASE);
            switch (id) {
                case "no-style-json" -> Files.delete(dir.resolve("style.json"));
                case "bad-style-json" -> Files.writeString(dir.resolve("style.json"), "{\"id\": \"bad-style-json\", ");
                case "no-adapter" -> Files.delete(dir.resolve("adapter_model.safetensors"));
                case "corrupt-header" -> Files.write(dir.resolve("adapter_model.safetensors"),
                        new byte[] {(byte) 0xff, 1, 2, 3, 4, 5, 6, 7, '{', '}'});
                case "unknown-base" -> PackFixtures.writeStyleFolder(dir, id, id, "no-such-model");
                default -> throw new IllegalStateException(id);
            }
            drop(PackFixtures.writePack(work.resolve("bad-" + id + ".jar"), dir, id, "1.0.0"), id + ".jar");
        }
        Path garbage = work.resolve("garbage.jar");
        Files.write(garbage, "this is not a zip file at all".getBytes());
        drop(garbage, "garbage.jar");
        expected.put("garbage.jar", "not a valid jar");

        for (Map.Entry<String, String> bad : expected.entrySet()) {
            JsonNode entry = awaitStyle(bad.getKey(), e -> e.path("state").asText().equals("REJECTED"),
                    Duration.ofSeconds(10));
            assertTrue(entry.path("reason").asText().contains(bad.getValue()),
                    bad.getKey() + ": reason was '" + entry.path("reason").asText() + "'");
            System.out.printf("[measure] rejected %-15s %s%n", bad.getKey(), entry.path("reason").asText());
        }
        assertEquals(200, launcher.get("/health").statusCode());
        assertEquals("ACTIVE", entry("good").orElseThrow().path("state").asText());

        for (String file : List.of("no-style-json", "bad-style-json", "no-adapter", "corrupt-header", "unknown-base")) {
            Files.delete(deploy.resolve(file + ".jar"));
        }
        Files.delete(deploy.resolve("garbage.jar"));
        for (String id : expected.keySet()) {
            awaitAbsent(id, Duration.ofSeconds(10));
        }
        assertEquals("ACTIVE", entry("good").orElseThrow().path("state").asText());
    }

    @Test
    @Order(0)
    void healthReportsTheEngineFromARequestThread() throws Exception {
        JsonNode health = PackFixtures.JSON.readTree(launcher.get("/health").body());
        assertEquals("ok", health.path("status").asText());
        assertEquals("PyTorch 2.7.1", health.path("engine").asText());
    }

    @Test
    @Order(3)
    void stylesOfOnePackAreServedAsJsonAndUnknownOnesAsJsonErrors() throws Exception {
        JsonNode one = PackFixtures.JSON.readTree(launcher.get("/v1/styles/good").body());
        assertEquals("good", one.path("style").path("id").asText());
        var missing = launcher.get("/v1/styles/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("style_not_found", PackFixtures.JSON.readTree(missing.body()).path("error").path("code").asText());
    }

    private static void drop(Path jar, String name) throws Exception {
        // Copy next to the target under a name the watcher ignores, then rename: the watcher sees the file whole.
        Path part = deploy.resolve("." + name + ".part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Optional<JsonNode> entry(String id) throws Exception {
        JsonNode styles = PackFixtures.JSON.readTree(launcher.get("/v1/styles").body()).path("styles");
        for (JsonNode e : styles) {
            if (e.path("id").asText().equals(id)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static JsonNode awaitStyle(String id, Predicate<JsonNode> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<JsonNode> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = entry(id);
            if (last.isPresent() && condition.test(last.get())) {
                return last.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError(id + " not as expected within " + timeout + "; last: " + last + "\n" + launcher.log());
    }

    private static void awaitAbsent(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (entry(id).isEmpty()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(id + " still listed after " + timeout);
    }
}
