package dev.penwright.runtime;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.stylepacks.testing.PackFixtures;

/**
 * The launcher as a separate process on a home of its own: the runtime's system/ bundles, and an etc/ holding the
 * configuration a test asks for (limits, API keys, the styler's default model), so that tests of the HTTP API can
 * configure the server as an administrator would, without touching the shared runtime/etc.
 */
final class ServerProcess implements AutoCloseable {
    static final Path RUNTIME = Path.of(System.getProperty("penwright.home", "runtime")).toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("penwright.launcher", "../launcher/target/penwright.jar"))
            .toAbsolutePath();
    static final ObjectMapper JSON = PackFixtures.JSON;
    /** The OSGi framework the launcher embeds: the equinox profile runs a part of these tests on Equinox. */
    static final String FRAMEWORK = System.getProperty("penwright.framework", "felix");

    private final Process process;
    private final Path log;
    final int port;
    final Path home;
    final Path deploy;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServerProcess(Process process, Path log, int port, Path home, Path deploy) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.home = home;
        this.deploy = deploy;
    }

    /**
     * @param configs etc/ files: pid to "key = value" lines
     */
    static ServerProcess start(Path work, Path deploy, Path models, String host, Map<String, String> configs)
            throws Exception {
        Path home = home(work, configs);
        int port = freePort();
        Path log = Files.createTempFile("penwright-server-", ".log");
        // A temp folder of its own, so that tests can measure the framework's storage (created in it).
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        List<String> command = launcherCommand("-Djava.io.tmpdir=" + tmp);
        command.addAll(List.of("run", "--headless", "--home", home.toString(), "--host", host,
                "--port", Integer.toString(port), "--deploy", deploy.toString(), "--models", models.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(process, log, port, home, deploy);
        server.awaitHealthy(Duration.ofSeconds(60));
        return server;
    }

    /** {@code java … -jar penwright.jar} on the framework under test, with the given JVM options; add arguments. */
    static List<String> launcherCommand(String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Dai.djl.offline=true",
                "-Dpenwright.framework=" + FRAMEWORK));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", JAR.toString()));
        return command;
    }

    /** A runtime home of its own: the shared system/ bundles, conf/, and etc/ with the given configurations. */
    static Path home(Path work, Map<String, String> configs) throws IOException {
        Path home = Files.createDirectories(work.resolve("home"));
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(home.resolve("data"));
        Files.copy(RUNTIME.resolve("conf/penwright.properties"), home.resolve("conf/penwright.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var files = Files.list(RUNTIME.resolve("etc"))) {
            for (Path f : files.toList()) {
                Files.copy(f, home.resolve("etc").resolve(f.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Map.Entry<String, String> c : configs.entrySet()) {
            Files.writeString(home.resolve("etc").resolve(c.getKey() + ".cfg"), c.getValue());
        }
        if (!Files.exists(home.resolve("system"))) {
            Files.createSymbolicLink(home.resolve("system"), RUNTIME.resolve("system"));
        }
        return home;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
        String path = response.request().uri().getPath();
        // Error bodies, and the answers that describe the runtime's own files (packs, jobs, models), name no server
        // path. Generated text is left alone: a model may well write "/usr/bin".
        if (response.statusCode() >= 400 || path.startsWith("/v1/styles") || path.startsWith("/v1/jobs")
                || path.startsWith("/v1/train") || path.startsWith("/v1/models") || path.equals("/health")) {
            assertNoServerPath(response.body(), response.request().method() + " " + path);
        }
        return response;
    }

    /** An absolute path under a usual server folder, a file URI, or this runtime's or the JVM's temp folder. */
    private static final java.util.regex.Pattern SERVER_PATH = java.util.regex.Pattern.compile(
            "(?<![\\w.:/])/(?:work|tmp|root|home|usr|var|opt|srv|etc|proc|mnt)/|file:/|"
                    + java.util.regex.Pattern.quote(RUNTIME.toString()) + "|"
                    + java.util.regex.Pattern.quote(Path.of(System.getProperty("java.io.tmpdir")).toString() + "/"));

    /** Fails when {@code body} (an answer of the runtime) names an absolute server path. */
    static void assertNoServerPath(String body, String what) {
        java.util.regex.Matcher m = SERVER_PATH.matcher(body);
        if (m.find()) {
            int from = Math.max(0, m.start() - 80);
            throw new AssertionError(what + " answered a server path ('" + m.group() + "'): …"
                    + body.substring(from, Math.min(body.length(), m.end() + 80)) + "…");
        }
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Asserts the JSON error shape and returns the code. */
    static String errorCode(HttpResponse<String> response) throws IOException {
        JsonNode error = json(response).path("error");
        if (!error.path("code").isTextual() || !error.path("message").isTextual()) {
            throw new AssertionError("not a JSON error: " + response.statusCode() + " " + response.body());
        }
        return error.path("code").asText();
    }

    /** The framework's storage folder (bundle cache and bundle data), in this process's own temp folder. */
    Path storage() throws IOException {
        try (var dirs = Files.list(home.getParent().resolve("tmp"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("penwright-" + FRAMEWORK + "-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no framework storage folder"));
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** What the runtime wrote to its log files (home/log, every level), beside what its console showed. */
    String runtimeLog() throws IOException {
        Path dir = home.resolve("log");
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Kills the runtime at once, as a crash or a pulled cable would: no shutdown, connections reset. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("launcher exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                // Health answers once the HTTP edge is up; the API's servlets register as their services arrive (on
                // Equinox a moment later: a first upload once met "no route POST styles"), so wait for one of them.
                if (get("/health").statusCode() == 200 && get("/v1/styles").statusCode() != 404) {
                    return;
                }
            } catch (IOException notYet) {
                // Port not open yet.
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("launcher not healthy within " + timeout + ":\n" + log());
    }

    /** Sends SIGTERM (what {@link Process#destroy()} does on Linux) and returns how long the runtime took to exit. */
    Duration terminate() throws Exception {
        long sent = System.nanoTime();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the runtime did not exit within 20 s of SIGTERM:\n" + log());
        }
        return Duration.ofNanos(System.nanoTime() - sent);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
