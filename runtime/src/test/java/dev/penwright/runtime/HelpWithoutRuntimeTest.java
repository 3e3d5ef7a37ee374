package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code help} and {@code <command> --help} answer from the command index a runtime left behind, without starting
 * one: no framework storage folder appears, nothing is logged, nothing reaches stderr.
 */
class HelpWithoutRuntimeTest {
    @TempDir
    static Path work;
    static Path home;
    static Path tmp;

    @BeforeAll
    static void homeWithItsOwnIndex() throws Exception {
        // The shared bundles, linked one by one, so the index this test writes is its own.
        home = Files.createDirectories(work.resolve("home"));
        Path bundles = Files.createDirectories(home.resolve("system/bundles"));
        try (Stream<Path> jars = Files.list(ServerProcess.RUNTIME.resolve("system/bundles"))) {
            for (Path jar : jars.toList()) {
                Files.createSymbolicLink(bundles.resolve(jar.getFileName()), jar);
            }
        }
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(home.resolve("deploy"));
        Files.createDirectories(home.resolve("models"));
        tmp = Files.createDirectories(work.resolve("tmp"));
    }

    @Test
    void helpStartsARuntimeOnceThenAnswersFromTheIndex() throws Exception {
        ExecCommandTest.Result first = penwright("help");
        assertEquals(0, first.status(), first.stderr());
        assertTrue(first.stdout().contains("generate article"), first.stdout());
        assertEquals("", first.stderr(), "a runtime's INFO lines go to its log file, not the console");
        assertTrue(Files.isRegularFile(home.resolve("system/commands.properties")));

        clearTmp();
        Path log = onlyLogFile();
        long logged = Files.size(log);
        ExecCommandTest.Result again = penwright("help");
        assertEquals(first.stdout(), again.stdout());
        ExecCommandTest.Result usage = penwright("generate", "article", "--help");
        assertEquals(0, usage.status(), usage.stderr());
        assertTrue(usage.stdout().startsWith("Usage: generate article"), usage.stdout());
        ExecCommandTest.Result one = penwright("help", "styles");
        assertTrue(one.stdout().startsWith("Usage: styles"), one.stdout());
        for (ExecCommandTest.Result answered : List.of(again, usage, one)) {
            assertEquals("", answered.stderr());
        }
        assertEquals(logged, Files.size(log), "answered from the index: nothing logged");
        assertFrameworkNeverStarted();

        ExecCommandTest.Result unknown = penwright("help", "no-such");
        assertEquals(2, unknown.status());
        assertTrue(unknown.stderr().contains("unknown command 'no-such'"), unknown.stderr());
        assertFrameworkNeverStarted();
    }

    @Test
    void aStaleIndexIsRebuiltByTheNextRuntime() throws Exception {
        penwright("help");
        Path index = home.resolve("system/commands.properties");
        Files.writeString(index, Files.readString(index).replaceFirst("fingerprint=\\w+", "fingerprint=other-bundles"));
        clearTmp();
        ExecCommandTest.Result rebuilt = penwright("styles", "--help");
        assertEquals(0, rebuilt.status(), rebuilt.stderr());
        assertTrue(rebuilt.stdout().startsWith("Usage: styles"), rebuilt.stdout());
        assertFalse(Files.readString(index).contains("fingerprint=other-bundles"), "the index is written anew");
    }

    private static void assertFrameworkNeverStarted() throws Exception {
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("penwright-"))
                    .toList(), "a framework storage folder means a runtime was started");
        }
    }

    private static Path onlyLogFile() throws Exception {
        try (Stream<Path> logs = Files.list(home.resolve("log"))) {
            return logs.findFirst().orElseThrow();
        }
    }

    private static void clearTmp() throws Exception {
        try (Stream<Path> left = Files.list(tmp)) {
            for (Path p : left.toList()) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static ExecCommandTest.Result penwright(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
                "-Djava.io.tmpdir=" + tmp, "-jar", ServerProcess.JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PENWRIGHT_HOME", home.toString());
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("penwright " + String.join(" ", args) + " did not finish");
        }
        return new ExecCommandTest.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
