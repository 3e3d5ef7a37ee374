package dev.penwright.stylepacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The pack limits as every route applies them: names, manifest, entry count, inflated bytes, ratio. */
class PackArchiveTest {
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

    private InvalidStylePackException refused(Path jar, long maxUnpacked, int maxEntries) {
        return assertThrows(InvalidStylePackException.class, () -> PackArchive.extractStyle(jar,
                Files.createTempDirectory(dir, "style"), new PackLimits(maxEntries, maxUnpacked, maxUnpacked, 1000)));
    }

    @Test
    void extractsOnlyTheStyleFolderAndReadsTheHeader() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("style/style.json", "{}".getBytes());
        entries.put("style/sub/exemplars.jsonl", "x".getBytes());
        entries.put("other/file.txt", "y".getBytes());
        Path out = Files.createDirectory(dir.resolve("out"));
        StylePackJar.Header header = PackArchive.extractStyle(jar("house", entries), out,
                new PackLimits(10, 1000, 1000, 100));
        assertEquals(new StylePackJar.Header("house", "1.2.3"), header);
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
        assertTrue(refused(garbage, 1000, 10).getMessage().contains("not a jar"));
    }

    @Test
    void eachLimitIsItsOwnAndStopsAsItInflates() throws Exception {
        byte[] zeros = new byte[3_000_000];
        Path bomb = jar("x", Map.of("style/a", zeros));
        // Per entry, total, and ratio: 3 MB of zeros stored in a few kB is far beyond 100:1.
        assertTrue(assertThrows(InvalidStylePackException.class, () -> PackArchive.check(bomb,
                new PackLimits(10, 10_000_000, 2_000_000, 100_000))).getMessage().contains("maxEntryBytes"));
        assertTrue(assertThrows(InvalidStylePackException.class, () -> PackArchive.check(bomb,
                new PackLimits(10, 2_000_000, 10_000_000, 100_000))).getMessage().contains("maxInflatedBytes"));
        assertTrue(assertThrows(InvalidStylePackException.class, () -> PackArchive.check(bomb,
                new PackLimits(10, 10_000_000, 10_000_000, 100))).getMessage().contains("maxRatio"));
        assertEquals(new StylePackJar.Header("x", "1.2.3"), PackArchive.check(bomb,
                new PackLimits(10, 10_000_000, 10_000_000, 100_000)));
        // Random bytes barely compress: a real adapter of that size passes the default ratio.
        byte[] noise = new byte[3_000_000];
        new java.util.Random(1).nextBytes(noise);
        assertEquals("x", PackArchive.check(jar("x", Map.of("style/a", noise)), PackLimits.DEFAULTS).styleId());
        assertEquals("x", PackArchive.styleIdOf(bomb));
    }
}
