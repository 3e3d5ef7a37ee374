package dev.penwright.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackUploadTest {
    @TempDir
    Path dir;

    private Path jar(String header, Map<String, byte[]> entries) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (header != null) {
            manifest.getMainAttributes().putValue("Penwright-StylePack", header);
            manifest.getMainAttributes().putValue("Bundle-Version", "1.2.3");
        }
        Path jar = Files.createTempFile(dir, "pack", ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return jar;
    }

    private ApiError refused(Path jar, long maxUnpacked, int maxEntries) {
        return assertThrows(ApiError.class, () -> PackUpload.inspect(jar,
                Files.createTempDirectory(dir, "style"), maxUnpacked, maxEntries));
    }

    @Test
    void extractsOnlyTheStyleFolderAndReadsTheHeader() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("style/style.json", "{}".getBytes());
        entries.put("style/sub/exemplars.jsonl", "x".getBytes());
        entries.put("other/file.txt", "y".getBytes());
        Path out = Files.createDirectory(dir.resolve("out"));
        PackUpload.Inspected inspected = PackUpload.inspect(jar("house", entries), out, 1000, 10);
        assertEquals(new PackUpload.Inspected("house", "1.2.3"), inspected);
        assertEquals("{}", Files.readString(out.resolve("style.json")));
        assertTrue(Files.exists(out.resolve("sub/exemplars.jsonl")));
        assertFalse(Files.exists(out.resolve("file.txt")));
    }

    @Test
    void refusesTraversalAbsoluteNamesBombsAndCounts() throws Exception {
        assertTrue(refused(jar("x", Map.of("style/../../evil", new byte[1])), 1000, 10).getMessage()
                .contains("path traversal"));
        assertTrue(refused(jar("x", Map.of("/etc/evil", new byte[1])), 1000, 10).getMessage().contains("absolute"));
        assertTrue(refused(jar("x", Map.of("style\\..\\evil", new byte[1])), 1000, 10).getMessage()
                .contains("not a plain path"));
        assertTrue(refused(jar("x", Map.of("C:/evil", new byte[1])), 1000, 10).getMessage().contains("absolute"));
        // 10 MB of zeros deflate to a few kB: the bytes actually inflated are what count.
        Path bomb = jar("x", Map.of("style/zeros", new byte[10_000_000]));
        assertTrue(Files.size(bomb) < 100_000);
        assertTrue(refused(bomb, 1_000_000, 10).getMessage().contains("zip bomb"));
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            many.put("style/f" + i, new byte[1]);
        }
        assertTrue(refused(jar("x", many), 1000, 10).getMessage().contains("entries"));
        assertTrue(refused(jar(null, Map.of("style/a", new byte[1])), 1000, 10).getMessage()
                .contains("Penwright-StylePack"));
        assertTrue(refused(jar("Bad/Id", Map.of("style/a", new byte[1])), 1000, 10).getMessage()
                .contains("Penwright-StylePack"));
        Path garbage = dir.resolve("garbage.jar");
        Files.writeString(garbage, "not a zip");
        assertEquals(422, refused(garbage, 1000, 10).status);
    }

    @Test
    void receivingStopsAtTheCap() throws Exception {
        Path file = dir.resolve("upload");
        ApiError tooBig = assertThrows(ApiError.class,
                () -> PackUpload.receive(new ByteArrayInputStream(new byte[2000]), file, 1000));
        assertEquals(413, tooBig.status);
        PackUpload.receive(new ByteArrayInputStream(new byte[1000]), file, 1000);
        assertEquals(1000, Files.size(file));
        assertEquals(400, assertThrows(ApiError.class,
                () -> PackUpload.receive(new ByteArrayInputStream(new byte[0]), file, 1000)).status);
    }
}
