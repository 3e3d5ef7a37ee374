package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.StylePackFormat;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs dropped into deploy/ are judged before the framework stores them: a 1.2 GB zip bomb is REJECTED within 30 s
 * with the framework's storage grown by under 100 MB; adapters that do not fit the base model or hold NaN are
 * REJECTED with the tensor named; a lower version over a higher one needs an explicit permit; and a pack that is
 * removed leaves neither its bundle revision nor its extracted files behind.
 */
class DeployAdmissionTest {
    static final String BASE = "tiny";
    static final long BOMB_BYTES = 1_200_000_000L;

    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        PackFixtures.writeModel(models, BASE);
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")), models, "127.0.0.1",
                Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aZipBombInTheDeployFolderIsRejectedBeforeTheFrameworkStoresIt() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("bomb-style"), "bomb", "Bomb", BASE);
        Path bomb = work.resolve("bomb.jar");
        long built = System.nanoTime();
        writeBomb(bomb, style);
        System.out.printf("[measure] zip bomb: %d bytes on disk inflating to %d (built in %d ms)%n", Files.size(bomb),
                BOMB_BYTES + 1000, (System.nanoTime() - built) / 1_000_000);
        long before = size(server.storage());
        long dropped = System.nanoTime();
        drop(bomb, "bomb.jar");
        JsonNode entry = await("bomb", e -> e.path("state").asText().equals("REJECTED"), Duration.ofSeconds(30));
        long millis = (System.nanoTime() - dropped) / 1_000_000;
        long grown = size(server.storage()) - before;
        System.out.printf("[measure] bomb REJECTED after %d ms, framework storage grew by %d bytes: %s%n", millis,
                grown, entry.path("reason").asText());
        assertTrue(entry.path("reason").asText().contains("zip bomb"), entry.toString());
        assertTrue(grown < 100_000_000L, "storage grew by " + grown);
        assertTrue(millis < 30_000);
        Files.delete(server.deploy.resolve("bomb.jar"));
        awaitAbsent("bomb", Duration.ofSeconds(10));
    }

    @Test
    void aRemovedPackLeavesNothingInTheFrameworkStorage() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("gone-style"), "gone", "Gone", BASE);
        int bundlesBefore = bundleFolders();
        int extractedBefore = extractedPacks();
        drop(PackFixtures.writePack(work.resolve("gone.jar"), style, "gone", "1.0.0"), "gone.jar");
        await("gone", e -> e.path("state").asText().equals("ACTIVE"), Duration.ofSeconds(30));
        assertTrue(extractedPacks() > extractedBefore, "the active pack's files are extracted");
        // An update replaces the extracted copy rather than adding one.
        drop(PackFixtures.writePack(work.resolve("gone-2.jar"), style, "gone", "1.0.1"), "gone.jar");
        await("gone", e -> e.path("version").asText().equals("1.0.1"), Duration.ofSeconds(30));
        Files.delete(server.deploy.resolve("gone.jar"));
        awaitAbsent("gone", Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // Other tests' packs may still be within their in-flight grace: no more folders than before is the measure.
        while ((extractedPacks() > extractedBefore || bundleFolders() > bundlesBefore) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(extractedPacks() <= extractedBefore, "extracted files of a removed pack");
        assertEquals(bundlesBefore, bundleFolders(), "bundle revisions of a removed pack");
    }

    @Test
    void adaptersThatCannotWorkAreRejectedWithTheTensorNamed() throws Exception {
        String q = "base_model.model.model.layers.0.self_attn.q_proj.";
        String v = "base_model.model.model.layers.0.self_attn.v_proj.";
        int hidden = PackFixtures.HIDDEN;
        int rank = PackFixtures.RANK;
        Map<String, Map<String, int[]>> adapters = new java.util.LinkedHashMap<>();
        adapters.put("wrong-shape", new java.util.LinkedHashMap<>(Map.of(q + "lora_A.weight", new int[] {rank, hidden + 3},
                q + "lora_B.weight", new int[] {hidden, rank})));
        adapters.put("no-module", new java.util.LinkedHashMap<>(Map.of(
                "base_model.model.model.layers.7.self_attn.q_proj.lora_A.weight", new int[] {rank, hidden},
                "base_model.model.model.layers.7.self_attn.q_proj.lora_B.weight", new int[] {hidden, rank})));
        adapters.put("not-a-number", new java.util.LinkedHashMap<>(Map.of(v + "lora_A.weight", new int[] {rank, hidden},
                v + "lora_B.weight", new int[] {hidden, rank})));
        Map<String, String> expected = Map.of("wrong-shape", q + "lora_A.weight", "no-module",
                "layers.7.self_attn.q_proj.lora_", "not-a-number", v + "lora_");
        for (Map.Entry<String, Map<String, int[]>> adapter : adapters.entrySet()) {
            String id = adapter.getKey();
            Path style = PackFixtures.writeStyleFolder(work.resolve("bad-" + id), id, id, BASE);
            PackFixtures.writeSafetensors(style.resolve("adapter_model.safetensors"), adapter.getValue(),
                    new java.util.Random(5), false);
            if (id.equals("not-a-number")) {
                poisonLastValue(style.resolve("adapter_model.safetensors"));
            }
            drop(PackFixtures.writePack(work.resolve("bad-" + id + ".jar"), style, id, "1.0.0"), id + ".jar");
            JsonNode entry = await(id, e -> e.path("state").asText().equals("REJECTED"), Duration.ofSeconds(30));
            String reason = entry.path("reason").asText();
            System.out.printf("[measure] %s REJECTED: %s%n", id, reason);
            assertTrue(reason.contains(expected.get(id)), reason);
            assertTrue(id.equals("not-a-number") ? reason.contains("NaN") : reason.contains("base model"), reason);
            Files.delete(server.deploy.resolve(id + ".jar"));
            awaitAbsent(id, Duration.ofSeconds(10));
        }
    }

    @Test
    void aDowngradeNeedsAnExplicitPermit() throws Exception {
        Path style = PackFixtures.writeStyleFolder(work.resolve("down-style"), "down", "Down", BASE);
        drop(PackFixtures.writePack(work.resolve("down-2.jar"), style, "down", "2.0.0"), "down.jar");
        await("down", e -> e.path("state").asText().equals("ACTIVE"), Duration.ofSeconds(30));
        Path older = PackFixtures.writePack(work.resolve("down-1.jar"), style, "down", "1.0.0");
        drop(older, "down.jar");
        JsonNode refused = await("down", e -> e.path("state").asText().equals("REJECTED"), Duration.ofSeconds(30));
        assertTrue(refused.path("reason").asText().contains("downgrade"), refused.toString());
        assertTrue(refused.path("reason").asText().contains("--allow-downgrade"), refused.toString());
        // The active version keeps serving.
        assertTrue(entries("down").stream().anyMatch(e -> e.path("state").asText().equals("ACTIVE")
                && e.path("version").asText().equals("2.0.0")), entries("down").toString());
        // Over HTTP with ?allowDowngrade=true it goes in (the permit is used once, and removed).
        HttpResponse<String> allowed = server.send(HttpRequest.newBuilder(server.uri("/v1/styles?allowDowngrade=true"))
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofFile(older)));
        assertEquals(201, allowed.statusCode(), allowed.body());
        await("down", e -> e.path("state").asText().equals("ACTIVE") && e.path("version").asText().equals("1.0.0"),
                Duration.ofSeconds(30));
        // The installer deletes the permit once it has judged the jar (just after the pack went active).
        Path permit = server.deploy.resolve(".down.jar.allow-downgrade");
        long permitDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(permit) && System.nanoTime() < permitDeadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.notExists(permit), "the downgrade permit is used once");
        Files.delete(server.deploy.resolve("down.jar"));
        awaitAbsent("down", Duration.ofSeconds(10));
    }

    /** Sets the last F32 value of a safetensors file to NaN. */
    private static void poisonLastValue(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(bytes.length - 4, Float.NaN);
        Files.write(file, bytes);
    }

    private static java.util.List<JsonNode> entries(String id) throws Exception {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode e : ServerProcess.json(server.get("/v1/styles")).path("styles")) {
            if (e.path("id").asText().equals(id)) {
                out.add(e);
            }
        }
        return out;
    }

    /** A pack jar whose adapter is {@link #BOMB_BYTES} of zeros: about a megabyte on disk. */
    private static void writeBomb(Path jar, Path style) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "penwright.stylepack.bomb");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue(StylePackFormat.HEADER, "bomb");
        main.putValue("Require-Capability", StylePackFormat.REQUIREMENT);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            zip.setLevel(Deflater.BEST_SPEED);
            for (String name : new String[] {"style.json", "adapter_config.json", "exemplars.jsonl"}) {
                zip.putNextEntry(new ZipEntry("style/" + name));
                Files.copy(style.resolve(name), zip);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("style/adapter_model.safetensors"));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < BOMB_BYTES; written += zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, BOMB_BYTES - written));
            }
            zip.closeEntry();
        }
    }

    private static void drop(Path jar, String name) throws IOException {
        Path part = server.deploy.resolve("." + name + ".part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, server.deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonNode await(String id, java.util.function.Predicate<JsonNode> condition, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.List<JsonNode> last = java.util.List.of();
        while (System.nanoTime() < deadline) {
            last = entries(id);
            Optional<JsonNode> met = last.stream().filter(condition).findFirst();
            if (met.isPresent()) {
                return met.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("style " + id + " did not reach the expected state within " + timeout + ": " + last);
    }

    private static void awaitAbsent(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (entry(id).isPresent()) {
            assertTrue(System.nanoTime() < deadline, "style " + id + " still listed: " + entry(id));
            Thread.sleep(50);
        }
    }

    private static Optional<JsonNode> entry(String id) throws Exception {
        for (JsonNode e : ServerProcess.json(server.get("/v1/styles")).path("styles")) {
            if (e.path("id").asText().equals(id)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Folders the extender extracted packs to (bundle data, packs/&lt;bundle&gt;-&lt;modified&gt;). */
    private static int extractedPacks() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> files = Files.walk(server.storage(), 4)) {
                return (int) files.filter(p -> p.getParent() != null && p.getParent().getFileName().toString()
                        .equals("packs") && Files.isDirectory(p)).count();
            } catch (java.io.UncheckedIOException e) {
                // An admission's temporary folder vanished under the walk: walk again.
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** The framework's per-bundle cache folders. */
    private static int bundleFolders() throws IOException {
        try (Stream<Path> files = Files.list(server.storage())) {
            return (int) files.filter(p -> p.getFileName().toString().startsWith("bundle")).count();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        }
    }
}
