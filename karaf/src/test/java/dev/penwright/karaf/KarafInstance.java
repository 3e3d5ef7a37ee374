package dev.penwright.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Apache Karaf, unpacked from the distribution Maven fetched, configured for this test (its own ports, no
 * remote Maven repository, the build's local one), started as {@code bin/karaf server} and driven through
 * {@code bin/client} over SSH, as an administrator would.
 */
final class KarafInstance implements AutoCloseable {
    private final Path home;
    private final Process process;
    private final int sshPort;
    final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private KarafInstance(Path home, Process process, int sshPort, int httpPort) {
        this.home = home;
        this.process = process;
        this.sshPort = sshPort;
        this.httpPort = httpPort;
    }

    /**
     * @param distribution the apache-karaf zip
     * @param work         an empty folder to unpack it in
     * @param mavenRepo    the local Maven repository that holds Penwright's artifacts
     * @param models       Penwright's base-model folder
     */
    static KarafInstance start(Path distribution, Path work, Path mavenRepo, Path models) throws Exception {
        Path home = unzip(distribution, work);
        int sshPort = freePort();
        int httpPort = freePort();
        Path etc = home.resolve("etc");
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort = 8101", "sshPort = " + sshPort);
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost = 0.0.0.0", "sshHost = 127.0.0.1");
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort = 1099",
                "rmiRegistryPort = " + freePort());
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort = 44444",
                "rmiServerPort = " + freePort());
        // Offline: artifacts come from Karaf's system/ folder and the build's local repository only.
        append(etc.resolve("org.ops4j.pax.url.mvn.cfg"), "org.ops4j.pax.url.mvn.localRepository=" + mavenRepo,
                "org.ops4j.pax.url.mvn.repositories=");
        append(etc.resolve("users.properties"), "karaf = karaf,_g_:admingroup",
                "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh");
        append(etc.resolve("system.properties"), "ai.djl.offline = true",
                "penwright.home = " + home, "penwright.deploy = " + home.resolve("deploy"));
        Files.writeString(etc.resolve("org.apache.felix.http.cfg"),
                "org.osgi.service.http.port = " + httpPort + "\norg.apache.felix.http.host = 127.0.0.1\n");
        Files.writeString(etc.resolve("dev.penwright.models.cfg"), "dirs = " + models.toRealPath() + "\n");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .redirectErrorStream(true).redirectOutput(work.resolve("karaf.out").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        KarafInstance karaf = new KarafInstance(home, builder.start(), sshPort, httpPort);
        karaf.awaitConsole(Duration.ofSeconds(180));
        return karaf;
    }

    /** Runs console commands through {@code bin/client} (batch mode: the commands on its standard input). */
    String console(String commands) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/client").toString(), "-a",
                Integer.toString(sshPort), "-h", "127.0.0.1", "-u", "karaf", "-p", "karaf", "-b")
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process client = builder.start();
        client.getOutputStream().write((commands + "\n").getBytes(StandardCharsets.UTF_8));
        client.getOutputStream().close();
        byte[] out;
        try (InputStream in = client.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!client.waitFor(300, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new AssertionError("bin/client did not finish: " + commands);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Types one command at Karaf's interactive console ({@code bin/client} with neither {@code -b} nor a command: SSH's
     * shell channel, a terminal, the prompt), waits until what the console printed satisfies {@code done} or
     * {@code timeout} passes, then logs out. Returns what the console printed, prompts included, without ANSI
     * escapes and carriage returns. Karaf's {@code help} is an alias, {@code *:help $args | more}, and {@code more} pages
     * to a terminal: a batch session ({@link #console}) has none, and there {@code help <command>} prints nothing for
     * any command, Karaf's own too.
     */
    String interactive(String command, java.util.function.Predicate<String> done, Duration timeout)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/client").toString(), "-a",
                Integer.toString(sshPort), "-h", "127.0.0.1", "-u", "karaf", "-p", "karaf")
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("TERM");
        Process client = builder.start();
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = client.getInputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (printed) {
                        printed.write(buffer, 0, n);
                    }
                }
            } catch (IOException ended) {
                // The client exited.
            }
        }, "karaf-client-reader");
        reader.start();
        try (var in = client.getOutputStream()) {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(plain(printed)) && client.isAlive()) {
                Thread.sleep(200);
            }
            in.write("logout\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException clientGone) {
            // It exited; what it printed is all there is.
        }
        if (!client.waitFor(30, TimeUnit.SECONDS)) {
            client.destroyForcibly();
        }
        reader.join(5000);
        return plain(printed);
    }

    private static String plain(java.io.ByteArrayOutputStream printed) {
        String text;
        synchronized (printed) {
            text = printed.toString(StandardCharsets.UTF_8);
        }
        return text.replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "").replace("\r", "");
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    Path deploy() {
        return home.resolve("deploy");
    }

    String log() throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "(no karaf.log)";
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private void awaitConsole(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Karaf exited with " + process.exitValue());
            }
            last = console("feature:list -i");
            // The console answers once the boot features are in; "shell" is one of them.
            if (last.contains("shell ")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("Karaf's console did not answer within " + timeout + ": " + last);
    }

    @Override
    public void close() throws Exception {
        // bin/karaf runs Java as its child: stop both, politely first.
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle child : children) {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static Path unzip(Path zip, Path target) throws IOException {
        Path root = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("entry outside the target: " + entry.getName());
                }
                if (root == null) {
                    root = target.resolve(target.relativize(file).getName(0));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(file);
                } else {
                    Files.createDirectories(file.getParent());
                    Files.copy(in, file);
                }
            }
        }
        // Zip entries carry no permissions: the scripts must be executable.
        try (var scripts = Files.list(root.resolve("bin"))) {
            scripts.forEach(script -> script.toFile().setExecutable(true));
        }
        return root;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " has no '" + from + "': another Karaf version?");
        }
        Files.writeString(file, text.replace(from, to));
    }

    private static void append(Path file, String... lines) throws IOException {
        Files.writeString(file, "\n" + String.join("\n", lines) + "\n", StandardOpenOption.APPEND);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
