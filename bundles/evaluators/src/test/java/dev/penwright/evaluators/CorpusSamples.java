package dev.penwright.evaluators;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Samples of the shared corpora for tests, split deterministically by a hash of the id: CRC32(id) mod 10 = 0 is
 * test, 1 is validation, the rest train. Skips the calling test when the corpora are absent.
 */
final class CorpusSamples {
    record Sample(String id, String style, String title, String text) {
    }

    record Split(List<Sample> train, List<Sample> test) {
    }

    static final String[] FILES = {"debian-desc.jsonl.gz", "jargon.jsonl", "zh-fortunes.jsonl"};

    private CorpusSamples() {
    }

    static Path corpora() {
        String dir = System.getProperty("penwright.corpora");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "corpora folder not available: " + dir);
        return Path.of(dir);
    }

    static int bucket(String id) {
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 10);
    }

    /** Up to {@code maxTrain} train and {@code maxTest} test samples of one corpus file, in file order. */
    static Split split(String file, int maxTrain, int maxTest) throws IOException {
        Path path = corpora().resolve(file);
        assumeTrue(Files.isRegularFile(path), "corpus file missing: " + path);
        ObjectMapper json = new ObjectMapper();
        List<Sample> train = new ArrayList<>();
        List<Sample> test = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null && (train.size() < maxTrain || test.size() < maxTest); ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                Sample s = new Sample(n.get("id").asText(), n.get("style").asText(), n.path("title").asText(),
                        n.get("text").asText());
                int b = bucket(s.id());
                if (b == 0 && test.size() < maxTest) {
                    test.add(s);
                } else if (b >= 2 && train.size() < maxTrain) {
                    train.add(s);
                }
            }
        }
        return new Split(train, test);
    }
}
