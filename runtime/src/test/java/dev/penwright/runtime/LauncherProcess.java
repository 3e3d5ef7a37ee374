package dev.penwright.runtime;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The launcher started as a separate process, as a user starts it, on a free port with its own deploy folder. */
final class LauncherProcess implements AutoCloseable {
    static final Path HOME = Path.of(System.getProperty("penwright.home", "runtime")).toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("penwright.launcher", "../launcher/target/penwright.jar"))
            .toAbsolutePath();

    private final Process process;
    private final Path log;
    final int port;
    final long startMillis;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LauncherProcess(Process process, Path log, int port, long startMillis) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startMillis = startMillis;
    }

    /** Starts {@code penwright run --headless} and waits until {@code /health} answers. */
    static LauncherProcess start(Path deploy, Path models) throws Exception {
        int port = freePort();
        Path log = Files.createTempFile("penwright-run-", ".log");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Dai.djl.offline=true", "-jar", JAR.toString(),
                "run", "--headless", "--home", HOME.toString(), "--port", Integer.toString(port),
                "--deploy", deploy.toString(), "--models", models.toString()));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LauncherProcess launcher = new LauncherProcess(process, log, port, 0);
        launcher.awaitHealthy(Duration.ofSeconds(60));
        return new LauncherProcess(process, log, port, (System.nanoTime() - started) / 1_000_000);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("launcher exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Port not open yet.
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("launcher not healthy within " + timeout + ":\n" + log());
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
