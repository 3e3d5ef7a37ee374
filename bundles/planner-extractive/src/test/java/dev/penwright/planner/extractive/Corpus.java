package dev.penwright.planner.extractive;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads entries of the project's corpora/ (penwright.corpora); tests that need it skip only when it is absent. */
final class Corpus {
    record Entry(String id, String title, String text) {
    }

    private Corpus() {
    }

    static Path folder() {
        String dir = System.getProperty("penwright.corpora", "");
        assumeTrue(!dir.isBlank() && Files.isDirectory(Path.of(dir)), "corpora folder not available: " + dir);
        return Path.of(dir);
    }

    /** Every {@code step}-th entry, up to {@code limit}: a fixed, spread-out sample. */
    static List<Entry> sample(String file, int step, int limit) throws IOException {
        Path path = folder().resolve(file);
        assumeTrue(Files.isRegularFile(path), "corpus file missing: " + path);
        ObjectMapper json = new ObjectMapper();
        List<Entry> out = new ArrayList<>();
        var in = Files.newInputStream(path);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                file.endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null && out.size() < limit) {
                if (n++ % step != 0) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                out.add(new Entry(node.get("id").asText(), node.get("title").asText(), node.get("text").asText()));
            }
        }
        return out;
    }
}
