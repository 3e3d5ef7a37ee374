package dev.penwright.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Penwright installed into a real Apache Karaf from its feature repository: a shipped style pack dropped into Karaf's
 * deploy/ is listed and generates over HTTP and in Karaf's console, help for a pen: command prints its usage in Karaf's
 * console, and the engine bundle is updated under load.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafFeatureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENERATE = "{\"style\":\"jargon\",\"material\":{\"brief\":\"A daemon is a program that "
            + "runs in the background, first named at MIT in 1963.\"},\"options\":{\"maxNewTokens\":12,\"seed\":7}}";
    private static KarafInstance karaf;

    @BeforeAll
    static void start() throws Exception {
        Path work = Path.of(System.getProperty("karaf.it.work"));
        Files.createDirectories(work);
        try (var old = Files.list(work)) {
            if (old.findAny().isPresent()) {
                throw new IllegalStateException(work + " is not empty: mvn clean first");
            }
        }
        karaf = KarafInstance.start(Path.of(System.getProperty("karaf.distribution")), work,
                Path.of(System.getProperty("karaf.it.maven.repo")), Path.of(System.getProperty("penwright.models")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    @Order(1)
    void featureRepositoryInstallsPenwrightIntoKaraf() throws Exception {
        String features = Path.of(System.getProperty("penwright.features")).toUri().toString();
        String added = karaf.console("feature:repo-add " + features);
        assertFalse(added.toLowerCase().contains("error"), added);
        long started = System.nanoTime();
        String installed = karaf.console("feature:install penwright");
        assertFalse(installed.toLowerCase().contains("error"), installed);
        HttpResponse<String> health = awaitHealth(Duration.ofSeconds(120));
        System.out.printf("[measure] feature:install penwright to /health 200: %d ms%n", millisSince(started));
        assertEquals("PyTorch 2.7.1", JSON.readTree(health.body()).path("engine").asText(), health.body());
        String bundles = karaf.console("bundle:list -t 0");
        assertFalse(bundles.contains("Failure") || bundles.contains("Installed"), bundles);
        assertTrue(bundles.contains("Penwright DJL and PyTorch bundle"), bundles);
    }

    @Test
    @Order(2)
    void aPackDroppedIntoKarafsDeployIsListedAndGenerates() throws Exception {
        long dropped = System.nanoTime();
        Files.copy(Path.of(System.getProperty("penwright.stylepack")), karaf.deploy().resolve("jargon.jar"));
        JsonNode pack = awaitStyle("jargon", Duration.ofSeconds(60));
        System.out.printf("[measure] Karaf deploy/ to listed ACTIVE: %d ms%n", millisSince(dropped));
        assertEquals("ACTIVE", pack.path("state").asText(), pack.toString());
        HttpResponse<String> generated = karaf.post("/v1/generate", GENERATE);
        assertEquals(200, generated.statusCode(), generated.body());
        JsonNode result = JSON.readTree(generated.body());
        assertFalse(result.path("text").asText().isBlank(), generated.body());
        assertTrue(generated.body().contains("jargon"), generated.body());
        String styles = karaf.console("pen:styles");
        assertTrue(styles.lines().anyMatch(line -> line.startsWith("jargon") && line.contains("ACTIVE")), styles);
    }

    @Test
    @Order(3)
    void helpForAPenCommandPrintsItsUsage() throws Exception {
        java.util.function.Predicate<String> usage = out -> out.contains("Usage: styles")
                && out.contains("--all") && out.contains("Include rejected packs.");
        String own = karaf.console("pen:styles --help");
        assertTrue(usage.test(own), own);
        // Karaf's help command itself: it runs "pen:styles --help" in a session of its own and prints what that printed.
        String karafs = karaf.console("*:help pen:styles");
        assertTrue(usage.test(karafs), karafs);
        // What a user types at Karaf's console: help is Karaf's alias { *:help $args | more }, which pages to the
        // terminal (a batch session has none: there help prints nothing, for Karaf's own commands too).
        String typed = karaf.interactive("help pen:styles", usage, Duration.ofSeconds(60));
        assertTrue(usage.test(typed), typed);
        // Karaf's command list shows each pen: command with its summary (the osgi.command.description property).
        String list = karaf.console("*:help");
        assertTrue(list.contains("List the active style packs"), list);
    }

    @Test
    @Order(4)
    void updatingTheEngineBundleUnderLoadFinishesRequestsInFlightAndServesOnTheNewOne() throws Exception {
        Path newEngine = withBundleVersion(Path.of(System.getProperty("penwright.engine")),
                Path.of(System.getProperty("karaf.it.work")).resolve("engine-updated.jar"), "0.1.0.updated");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> load = List.of(clients.submit(() -> generateWhile(running, served, failures)),
                    clients.submit(() -> generateWhile(running, served, failures)),
                    clients.submit(() -> generateWhile(running, served, failures)));
            Thread.sleep(1000);
            String updated = karaf.console("bundle:update dev.penwright.engine " + newEngine.toUri());
            assertFalse(updated.toLowerCase().contains("error"), updated);
            awaitConsole("bundle:list -t 0", out -> out.contains("0.1.0.updated"), Duration.ofSeconds(60));
            Thread.sleep(2000);
            running.set(false);
            for (Future<?> client : load) {
                client.get();
            }
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
        System.out.printf("[measure] engine bundle updated under 3 clients: %d requests served, failures %s%n",
                served.get(), failures);
        assertTrue(failures.isEmpty(), "failed requests by status: " + failures + "\n" + karaf.log());
        assertTrue(served.get() > 0);
        HttpResponse<String> after = karaf.post("/v1/generate", GENERATE);
        assertEquals(200, after.statusCode(), after.body());
    }

    private static Void generateWhile(AtomicBoolean running, AtomicInteger served, Map<String, Integer> failures) {
        while (running.get()) {
            try {
                HttpResponse<String> response = karaf.post("/v1/generate", GENERATE);
                if (response.statusCode() == 200) {
                    served.incrementAndGet();
                } else {
                    String code = JSON.readTree(response.body()).path("error").path("code").asText();
                    failures.merge(response.statusCode() + " " + code, 1, Integer::sum);
                }
            } catch (IOException | InterruptedException e) {
                failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            }
        }
        return null;
    }

    /** A copy of a bundle with another Bundle-Version, so that the console shows which one is installed. */
    private static Path withBundleVersion(Path jar, Path copy, String version) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (OutputStream file = Files.newOutputStream(copy); JarOutputStream out = new JarOutputStream(file,
                    manifest)) {
                for (JarEntry entry : java.util.Collections.list(in.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.getInputStream(entry).transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return copy;
    }

    private static HttpResponse<String> awaitHealth(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> health = karaf.get("/health");
                if (health.statusCode() == 200) {
                    return health;
                }
            } catch (IOException notYet) {
                // Jetty opens the port once the penwright-http feature's bundles start.
            }
            Thread.sleep(250);
        }
        throw new AssertionError("/health not 200 within " + timeout + "\n" + karaf.console("bundle:list -t 0")
                + "\n" + karaf.log());
    }

    private static JsonNode awaitStyle(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = karaf.get("/v1/styles").body();
            for (JsonNode style : JSON.readTree(body).path("styles")) {
                if (style.path("id").asText().equals(id)) {
                    return style;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(id + " not listed within " + timeout + ": " + body + "\n" + karaf.log());
    }

    private static void awaitConsole(String command, java.util.function.Predicate<String> done, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String out = "";
        while (System.nanoTime() < deadline) {
            out = karaf.console(command);
            if (done.test(out)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(command + " never showed what was awaited within " + timeout + ":\n" + out);
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
