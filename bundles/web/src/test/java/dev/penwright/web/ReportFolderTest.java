package dev.penwright.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFolderTest {
    @TempDir
    Path work;

    @Test
    void listsReportFilesNewestFirstAndSkipsOthers() throws Exception {
        Path root = Files.createDirectories(work.resolve("bench"));
        Path run = Files.createDirectories(root.resolve("2026-11-25"));
        Files.writeString(run.resolve("notes.html"), "<h1>notes</h1>");
        Files.write(run.resolve("latency.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.writeString(run.resolve("run.sh"), "rm -rf /");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git/config.txt"), "secret");
        Files.writeString(root.resolve("old.md"), "# old");
        Files.setLastModifiedTime(root.resolve("old.md"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        List<ReportFolder.ReportFile> files = new ReportFolder(root).list();

        assertEquals(List.of("2026-11-25/latency.png", "2026-11-25/notes.html", "old.md"),
                files.stream().map(ReportFolder.ReportFile::path).sorted().toList());
        assertEquals("old.md", files.get(files.size() - 1).path());
        assertEquals(4, files.stream().filter(f -> f.kind().equals("png")).findFirst().orElseThrow().bytes());
    }

    @Test
    void resolvesOnlyReportFilesInsideTheFolder() throws Exception {
        Path root = Files.createDirectories(work.resolve("bench"));
        Files.writeString(root.resolve("notes.html"), "ok");
        Files.writeString(work.resolve("outside.html"), "not yours");
        Files.writeString(root.resolve("script.sh"), "no");
        Files.createSymbolicLink(root.resolve("link.html"), work.resolve("outside.html"));
        ReportFolder folder = new ReportFolder(root);

        assertEquals(root.resolve("notes.html"), folder.resolve("notes.html").orElseThrow());
        for (String bad : new String[] {"../outside.html", "/etc/passwd", "a/../../outside.html", "script.sh",
                "link.html", "", "nothing.html", ".hidden.html", "notes.html\u0000", "..\\outside.html"}) {
            assertTrue(folder.resolve(bad).isEmpty(), bad);
        }
        assertEquals("text/html; charset=utf-8", ReportFolder.contentType(root.resolve("notes.html")));
    }

    @Test
    void aMissingFolderIsEmptyNotAnError() throws Exception {
        ReportFolder folder = new ReportFolder(work.resolve("never-written"));
        assertEquals(List.of(), folder.list());
        assertTrue(folder.resolve("notes.html").isEmpty());
    }

    @Test
    void theDefaultFolderIsDocsBenchUnderTheHome() {
        assertEquals(Path.of("/opt/pw/docs/bench"), WebPageServlet.reportsDir("", "/opt/pw"));
        assertEquals(Path.of("/data/reports"), WebPageServlet.reportsDir(" /data/reports ", "/opt/pw"));
    }
}
