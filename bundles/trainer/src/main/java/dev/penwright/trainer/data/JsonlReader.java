package dev.penwright.trainer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the three JSONL formats (plain or {@code .gz}). Every line is one JSON object; blank lines are ignored. A
 * bad line (not JSON, not an object, a required field missing, empty or not a string, a duplicate id) is reported
 * with its number: skipped under {@link OnBadLine#SKIP}, or collected and thrown together under
 * {@link OnBadLine#FAIL}.
 */
public final class JsonlReader {
    /** What to do with a bad line. */
    public enum OnBadLine { SKIP, FAIL }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OnBadLine policy;

    public JsonlReader(OnBadLine policy) {
        this.policy = policy;
    }

    /** A corpus file: {@code id, style, title, text} required ({@code title} may be empty), source and license optional. */
    public Dataset<CorpusText> corpus(Path file) throws IOException, BadDataException {
        Set<String> ids = new HashSet<>();
        return read(file, (node, line) -> {
            String id = required(node, "id", false);
            if (!ids.add(id)) {
                throw new IllegalArgumentException("duplicate id '" + id + "'");
            }
            return new CorpusText(id, required(node, "style", false), required(node, "title", true),
                    required(node, "text", false), optional(node, "source"), optional(node, "license"));
        });
    }

    /** An alpaca file: {@code instruction, output} required, {@code input} optional; {@code id} optional. */
    public Dataset<AlpacaExample> alpaca(Path file) throws IOException, BadDataException {
        return read(file, (node, line) -> {
            String instruction = required(node, "instruction", false);
            String input = optional(node, "input");
            String output = required(node, "output", false);
            String id = node.hasNonNull("id") ? node.get("id").asText() : Split.contentId(instruction, input);
            return new AlpacaExample(id, instruction, input, output);
        });
    }

    /** A preference file: {@code prompt, chosen, rejected} required, and chosen must differ from rejected. */
    public Dataset<PreferencePair> preference(Path file) throws IOException, BadDataException {
        return read(file, (node, line) -> {
            String prompt = required(node, "prompt", false);
            String chosen = required(node, "chosen", false);
            String rejected = required(node, "rejected", false);
            if (chosen.equals(rejected)) {
                throw new IllegalArgumentException("\"chosen\" and \"rejected\" are the same text");
            }
            String id = node.hasNonNull("id") ? node.get("id").asText() : Split.contentId(prompt, chosen, rejected);
            return new PreferencePair(id, prompt, chosen, rejected);
        });
    }

    /**
     * Whether a file is alpaca-style: its first JSON object line has {@code instruction} and {@code output} and no
     * {@code text} (a corpus line has {@code text}).
     */
    public static boolean looksAlpaca(Path file) throws IOException {
        try (InputStream raw = open(file);
             BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.isObject()) {
                        return n.has("instruction") && n.has("output") && !n.has("text");
                    }
                } catch (JsonProcessingException e) {
                    // A bad first line says nothing of the format; the next one may.
                }
            }
        }
        return false;
    }

    private interface LineParser<T> {
        T parse(JsonNode node, int line);
    }

    private <T> Dataset<T> read(Path file, LineParser<T> parser) throws IOException, BadDataException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such data file");
        }
        List<T> records = new ArrayList<>();
        List<BadLine> bad = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream raw = open(file); BufferedReader in = new BufferedReader(new InputStreamReader(raw, utf8))) {
            String text;
            int number = 0;
            while (true) {
                try {
                    text = in.readLine();
                } catch (java.nio.charset.CharacterCodingException e) {
                    bad.add(new BadLine(file, number + 1, "not UTF-8"));
                    break;
                }
                if (text == null) {
                    break;
                }
                number++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node = JSON.readTree(text);
                    if (node == null || !node.isObject()) {
                        throw new IllegalArgumentException("not a JSON object");
                    }
                    records.add(parser.parse(node, number));
                } catch (JsonProcessingException e) {
                    bad.add(new BadLine(file, number, "not JSON: " + e.getOriginalMessage()));
                } catch (IllegalArgumentException e) {
                    bad.add(new BadLine(file, number, e.getMessage()));
                }
            }
        }
        if (!bad.isEmpty() && policy == OnBadLine.FAIL) {
            throw new BadDataException(bad);
        }
        if (records.isEmpty()) {
            throw new BadDataException(file + ": no usable lines" + (bad.isEmpty() ? "" : " (" + bad.size()
                    + " bad, the first: " + bad.get(0) + ")"));
        }
        return new Dataset<>(file, records, bad);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    private static String required(JsonNode node, String field, boolean mayBeEmpty) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing \"" + field + "\"");
        }
        if (!v.isTextual()) {
            if (field.equals("id") && v.isIntegralNumber()) {
                return v.asText();
            }
            throw new IllegalArgumentException("\"" + field + "\" is not a string");
        }
        if (!mayBeEmpty && v.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" is empty");
        }
        return v.asText();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
