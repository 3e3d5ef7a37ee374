package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code penwright run} on a pseudo-terminal ({@code script} gives it one), typed at as a user types: the Gogo shell
 * gets a real JLine terminal (Tab completes pen: commands), a failed command answers in one line, {@code exit} ends
 * the process.
 */
class InteractiveShellTest {
    @TempDir
    Path work;

    @Test
    void theShellHasARealTerminalAndExitEndsIt() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path models = Files.createDirectories(work.resolve("models"));
        Path home = ServerProcess.home(work, Map.of());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String launcher = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-jar", ServerProcess.JAR.toString(), "run", "--home", home.toString(),
                "--port", Integer.toString(port), "--deploy", deploy.toString(), "--models", models.toString());
        // script's terminal has no size when script itself has no terminal; JLine needs one to lay out the line.
        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", "stty cols 160 rows 50; exec " + launcher,
                "/dev/null");
        builder.environment().put("TERM", "xterm-256color");
        Process process = builder.redirectErrorStream(true).start();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream(), screen));
        reader.start();
        try {
            OutputStream keys = process.getOutputStream();
            awaitScreen(screen, "Penwright ready at", Duration.ofSeconds(120));
            type(keys, "pen:styl\t");
            awaitScreen(screen, "pen:styles", Duration.ofSeconds(20));
            type(keys, "\u0015pen:style nope\r");
            awaitScreen(screen, "no style pack 'nope'", Duration.ofSeconds(60));
            // help pen:<cmd> shows the command's picocli help: its usage line and its options.
            type(keys, "help pen:styles\r");
            awaitScreen(screen, "Usage: styles", Duration.ofSeconds(60));
            awaitScreen(screen, "--all", Duration.ofSeconds(10));
            type(keys, "exit\r");
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exit did not end the runtime:\n" + text(screen));
            reader.join(5_000);
            String shown = text(screen);
            assertFalse(shown.contains("dumb terminal"), shown);
            assertFalse(shown.contains("ExitStatusException"), shown);
            assertFalse(shown.contains("IllegalArgumentException"), shown);
            assertEquals(0, process.exitValue(), shown);
        } finally {
            process.destroyForcibly();
        }
    }

    private static void type(OutputStream keys, String text) throws Exception {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static void awaitScreen(ByteArrayOutputStream screen, String expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (text(screen).contains(expected)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + expected + "' never shown; the screen:\n" + text(screen));
    }

    /** What the screen shows, without the terminal's colour and cursor sequences (JLine colours candidates). */
    private static String text(ByteArrayOutputStream screen) {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[A-Za-z]|\u001B[=>]", "");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream screen) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        } catch (java.io.IOException closed) {
            // The process ended.
        }
    }
}
