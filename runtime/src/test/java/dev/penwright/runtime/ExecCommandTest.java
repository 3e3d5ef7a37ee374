package dev.penwright.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.stylepacks.testing.PackFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code penwright exec "<gogo>"} and one-shot subcommands, run as a user runs them: a process each. */
class ExecCommandTest {
    @TempDir
    static Path work;
    static Path deploy;
    static Path models;

    record Result(int status, String stdout, String stderr) {
    }

    @BeforeAll
    static void deployOnePack() throws Exception {
        deploy = Files.createDirectories(work.resolve("deploy"));
        models = Files.createDirectories(work.resolve("models"));
        PackFixtures.writeModel(models, "tiny-base");
        Path style = PackFixtures.writeStyleFolder(work.resolve("style"), "exec-style", "Exec style", "tiny-base");
        PackFixtures.writePack(deploy.resolve("exec-style.jar"), style, "exec-style", "2.0.0");
        Files.writeString(deploy.resolve("broken.jar"), "not a jar");
    }

    @Test
    void execRunsGogoCommandsAgainstTheDeployFolderAndExits() throws Exception {
        Result all = penwright("exec", "pen:styles --all");
        assertEquals(0, all.status(), all.stderr());
        assertTrue(all.stdout().lines().anyMatch(l -> l.startsWith("exec-style") && l.contains("2.0.0")
                && l.contains("ACTIVE")), all.stdout());
        assertTrue(all.stdout().lines().anyMatch(l -> l.startsWith("broken.jar") && l.contains("REJECTED")
                && l.contains("not a valid jar")), all.stdout());
    }

    /** A pack whose bundle is stopped stays listed, as STOPPED with the way back, until it starts again. */
    @Test
    void aStoppedPackIsListedAsStopped() throws Exception {
        // The pack's bundle, found by its location (FileInstall's file: URI of the jar); Felix's stop takes the
        // bundle, its start an id.
        String bundle = "($.context bundle " + deploy.resolve("exec-style.jar").toFile().toURI() + ")";
        Result stopped = penwright("exec", "stop " + bundle + " ; pen:styles --all ; start (" + bundle + " bundleId)"
                + " ; pen:styles");
        assertEquals(0, stopped.status(), stopped.stdout() + stopped.stderr());
        List<String> lines = stopped.stdout().lines().filter(l -> l.startsWith("exec-style")).toList();
        assertEquals(2, lines.size(), stopped.stdout());
        assertTrue(lines.get(0).contains("STOPPED") && lines.get(0).contains("start it"), stopped.stdout());
        assertTrue(lines.get(1).contains("ACTIVE"), stopped.stdout());
    }

    @Test
    void aFailingCommandGivesItsStatus() throws Exception {
        Result missing = penwright("exec", "pen:style nope");
        assertEquals(2, missing.status(), missing.stdout() + missing.stderr());
        assertTrue(missing.stdout().contains("no style pack 'nope'"), missing.stdout());
    }

    /**
     * Gogo's help describes a command by reflection on methods named after it, which a pen: function has none of: help
     * pen:&lt;cmd&gt; must still print the command's own help (picocli's usage and options), and the commands that
     * share its word.
     */
    @Test
    void helpOfAPenCommandPrintsItsUsageAndOptions() throws Exception {
        Result help = penwright("exec", "help pen:generate");
        assertEquals(0, help.status(), help.stdout() + help.stderr());
        assertTrue(help.stdout().contains("Usage: generate"), help.stdout());
        assertTrue(help.stdout().contains("--copy-bias"), help.stdout());
        assertTrue(help.stdout().contains("pen:generate article"), "the other command under the word: "
                + help.stdout());
        // pen:<word> --help, which Karaf's help runs, answers the same: the command's usage, then the others.
        Result own = penwright("exec", "pen:generate --help");
        assertEquals(0, own.status(), own.stdout() + own.stderr());
        assertTrue(own.stdout().contains("Usage: generate") && own.stdout().contains("--copy-bias"), own.stdout());
        assertTrue(own.stdout().contains("pen:generate article"), own.stdout());
        // A word with no command of its own lists the commands under it; two words name one of them.
        Result bench = penwright("exec", "help pen:bench");
        assertEquals(0, bench.status(), bench.stdout() + bench.stderr());
        assertTrue(bench.stdout().contains("pen:bench engine") && bench.stdout().contains("pen:bench notes"),
                bench.stdout());
        Result notes = penwright("exec", "help pen:bench notes");
        assertTrue(notes.stdout().contains("Usage: bench notes") && notes.stdout().contains("--shots"),
                notes.stdout());
        // Gogo's own help still answers for its commands (exec prints a script's last result), and help alone lists
        // the pen: commands too.
        Result lb = penwright("exec", "help lb");
        assertEquals(0, lb.status(), lb.stdout() + lb.stderr());
        assertTrue(lb.stdout().contains("lb - list all installed bundles"), lb.stdout());
        Result all = penwright("exec", "help");
        assertEquals(0, all.status(), all.stdout() + all.stderr());
        assertTrue(all.stdout().lines().anyMatch(l -> l.startsWith("felix:lb")), all.stdout());
        assertTrue(all.stdout().lines().anyMatch(l -> l.startsWith("pen:generate article")), all.stdout());
    }

    @Test
    void oneShotSubcommandsPrintJson() throws Exception {
        Result json = penwright("styles", "--json");
        assertEquals(0, json.status(), json.stderr());
        JsonNode styles = PackFixtures.JSON.readTree(json.stdout());
        assertEquals("exec-style", styles.get(0).path("id").asText());
        Result unknown = penwright("no-such-command");
        assertEquals(2, unknown.status());
        assertTrue(unknown.stderr().contains("unknown command 'no-such-command'"), unknown.stderr());
    }

    private static Result penwright(String... args) throws Exception {
        List<String> command = ServerProcess.launcherCommand();
        boolean exec = args[0].equals("exec");
        if (exec) {
            command.add("exec");
            command.addAll(List.of("--home", ServerProcess.RUNTIME.toString(), "--deploy", deploy.toString(),
                    "--models", models.toString()));
            command.addAll(List.of(args).subList(1, args.length));
        } else {
            command.addAll(List.of(args));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!exec) {
            // One-shot commands take the runtime's folders from the environment, leaving their flags to the command.
            builder.environment().put("PENWRIGHT_HOME", ServerProcess.RUNTIME.toString());
            builder.environment().put("PENWRIGHT_DEPLOY", deploy.toString());
            builder.environment().put("PENWRIGHT_MODELS", models.toString());
        }
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("penwright " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
