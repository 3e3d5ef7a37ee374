package dev.penwright.evaluators;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes pairs files: JSON Lines, UTF-8, one object a line,
 * {@code {"id": "...", "hypothesis": "...", "reference": "...", "source": "..."}} with {@code source} optional. Blank
 * lines are skipped. Every problem is reported with the file and the 1-based line number. Unknown keys are allowed
 * (a benchmark may add its own), and ids must be unique.
 */
public final class PairsFile {
    private static final List<String> REQUIRED = List.of("id", "hypothesis", "reference");

    private final ObjectMapper json = new ObjectMapper();

    public List<Pair> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PairsFileException(file + ": no such file", 0, null);
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new PairsFileException(file + ": cannot read: " + e.getMessage(), 0, e);
        }
    }

    /** @param name how to name the input in messages */
    public List<Pair> read(Reader reader, String name) {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<Pair> pairs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int lineNo = 0;
        try {
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                Pair pair = parse(line, name, lineNo);
                if (!ids.add(pair.id())) {
                    throw error(name, lineNo, "id \"" + pair.id() + "\" appears twice", null);
                }
                pairs.add(pair);
            }
        } catch (IOException e) {
            throw error(name, lineNo + 1, "cannot read: " + e.getMessage(), e);
        }
        return pairs;
    }

    private Pair parse(String line, String name, int lineNo) {
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw error(name, lineNo, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw error(name, lineNo, "expected a JSON object {\"id\", \"hypothesis\", \"reference\", \"source\"?}",
                    null);
        }
        for (String key : REQUIRED) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                throw error(name, lineNo, "missing \"" + key + "\"", null);
            }
            if (!v.isTextual() && !(key.equals("id") && v.isIntegralNumber())) {
                throw error(name, lineNo, "\"" + key + "\" must be a string, got " + v.getNodeType(), null);
            }
        }
        JsonNode source = node.get("source");
        if (source != null && !source.isNull() && !source.isTextual()) {
            throw error(name, lineNo, "\"source\" must be a string, got " + source.getNodeType(), null);
        }
        return new Pair(node.get("id").asText(), node.get("hypothesis").asText(), node.get("reference").asText(),
                source == null || source.isNull() ? null : source.asText());
    }

    private static PairsFileException error(String name, int lineNo, String what, Throwable cause) {
        return new PairsFileException(name + ":" + lineNo + ": " + what, lineNo, cause);
    }

    public void write(Path file, List<Pair> pairs) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(out, pairs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public void write(Writer out, List<Pair> pairs) throws IOException {
        for (Iterator<Pair> it = pairs.iterator(); it.hasNext(); ) {
            Pair p = it.next();
            ObjectNode o = json.createObjectNode();
            o.put("id", p.id());
            o.put("hypothesis", p.hypothesis());
            o.put("reference", p.reference());
            if (p.source() != null) {
                o.put("source", p.source());
            }
            out.write(json.writeValueAsString(o));
            out.write('\n');
        }
    }
}
