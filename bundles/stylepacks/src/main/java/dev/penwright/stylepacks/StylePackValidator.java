package dev.penwright.stylepacks;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.style.Exemplar;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.FormOpeners;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.models.ModelFolder;
import dev.penwright.models.SafetensorsHeader;

/**
 * Checks a pack's {@code style/} folder before anything uses it: style.json, the PEFT adapter (config and the
 * safetensors header, tensor names and ranks), the exemplars, and that the base model it names is installed with the
 * same fingerprint (or is served by a remote rendering backend). Each failure says which file and what is wrong.
 */
public final class StylePackValidator {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern LORA_TENSOR =
            Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.[^.]+)?\\.weight");

    private final ModelCatalog models;
    private final Predicate<String> servedRemotely;

    public StylePackValidator(ModelCatalog models) {
        this(models, id -> false);
    }

    /**
     * @param servedRemotely whether a base model this runtime does not hold is rendered by a remote backend: a pack
     *                       on it is accepted without the shape check, which the backend makes when it loads it
     */
    public StylePackValidator(ModelCatalog models, Predicate<String> servedRemotely) {
        this.models = models;
        this.servedRemotely = servedRemotely;
    }

    /**
     * @param dir      the extracted {@code style/} folder
     * @param headerId the {@code Penwright-StylePack} header, which must equal style.json's id
     */
    public ValidatedStyle validate(Path dir, String headerId) throws InvalidStylePackException {
        for (String name : StylePackFormat.REQUIRED) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new InvalidStylePackException("missing " + StylePackFormat.FOLDER + "/" + name);
            }
        }
        StyleDescriptor descriptor = readDescriptor(dir.resolve(StylePackFormat.STYLE_JSON));
        if (!descriptor.id().equals(headerId)) {
            throw new InvalidStylePackException("style.json id '" + descriptor.id() + "' differs from the "
                    + StylePackFormat.HEADER + " header '" + headerId + "'");
        }
        BaseModelInfo model = checkBaseModel(descriptor);
        JsonNode adapter = checkAdapterConfig(dir.resolve(StylePackFormat.ADAPTER_CONFIG));
        boolean uniformRank = adapter.path("rank_pattern").isEmpty();
        Path weights = dir.resolve(StylePackFormat.ADAPTER_WEIGHTS);
        SafetensorsHeader header = checkAdapterWeights(weights, uniformRank ? adapter.get("r").asInt() : 0);
        if (model != null) {
            checkAgainstBaseModel(header, model);
        }
        checkFinite(weights, header);
        List<Exemplar> exemplars = readExemplars(dir.resolve(StylePackFormat.EXEMPLARS));
        Path report = dir.resolve(StylePackFormat.REPORT);
        if (Files.exists(report)) {
            readJson(report);
        }
        Path vocabulary = dir.resolve(StylePackFormat.VOCABULARY);
        Path formWords = dir.resolve(StylePackFormat.FORM_WORDS);
        StyleVocabulary words = Files.exists(vocabulary) ? readVocabulary(vocabulary) : null;
        if (Files.exists(formWords)) {
            List<String> form = readWords(formWords, StylePackFormat.FORM_WORDS, StyleVocabulary.MAX_FORM_WORDS);
            words = (words != null ? words : StyleVocabulary.of(exemplars.stream().map(Exemplar::text).toList()))
                    .withFormWords(form);
            Path openers = dir.resolve(StylePackFormat.FORM_OPENERS);
            if (Files.exists(openers)) {
                words = words.withFormOpeners(readFormOpeners(openers));
            }
        }
        Path labels = dir.resolve(StylePackFormat.LABEL_LINES);
        if (Files.exists(labels)) {
            words = (words != null ? words : StyleVocabulary.of(exemplars.stream().map(Exemplar::text).toList()))
                    .withLabelLines(readLabelLines(labels));
        }
        return new ValidatedStyle(descriptor, dir, exemplars, words);
    }

    private static StyleDescriptor readDescriptor(Path file) throws InvalidStylePackException {
        JsonNode node = readJson(file);
        for (String field : List.of("id", "name", "language", "baseModel")) {
            if (!node.path(field).isTextual() || node.path(field).asText().isBlank()) {
                throw new InvalidStylePackException("style.json: missing or empty \"" + field + "\"");
            }
        }
        StyleDescriptor descriptor;
        try {
            descriptor = JSON.treeToValue(node, StyleDescriptor.class);
        } catch (JsonProcessingException e) {
            throw new InvalidStylePackException("style.json: " + e.getOriginalMessage(), e);
        }
        if (!ID.matcher(descriptor.id()).matches()) {
            throw new InvalidStylePackException("style.json: id '" + descriptor.id()
                    + "' must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
        }
        return descriptor;
    }

    /** The installed base model, or null when only a remote backend serves it. */
    private BaseModelInfo checkBaseModel(StyleDescriptor descriptor) throws InvalidStylePackException {
        Optional<BaseModelInfo> model = models.find(descriptor.baseModel());
        if (model.isEmpty() && servedRemotely.test(descriptor.baseModel())) {
            return null;
        }
        if (model.isEmpty()) {
            List<String> known = models.models().stream().map(BaseModelInfo::id).toList();
            throw new InvalidStylePackException("unknown base model '" + descriptor.baseModel()
                    + "' (installed: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
        }
        String expected = descriptor.baseModelFingerprint();
        if (expected != null && !expected.isBlank() && !expected.equals(model.get().fingerprint())) {
            throw new InvalidStylePackException("base model '" + descriptor.baseModel() + "' has fingerprint "
                    + abbreviate(model.get().fingerprint()) + ", but the pack was trained on " + abbreviate(expected));
        }
        return model.get();
    }

    /**
     * Every adapter tensor must adapt a weight the base model has, with a shape that fits it: for a weight of shape
     * [out, in], lora_A is [r, in] and lora_B is [out, r]. A pack that fails this would be accepted and then fail
     * every generation.
     */
    private static void checkAgainstBaseModel(SafetensorsHeader adapter, BaseModelInfo model)
            throws InvalidStylePackException {
        Map<String, List<Long>> base;
        try {
            base = ModelFolder.tensorShapes(model.directory());
        } catch (IOException e) {
            throw new InvalidStylePackException("base model '" + model.id() + "': its weights cannot be read", e);
        }
        for (Map.Entry<String, SafetensorsHeader.TensorEntry> tensor : adapter.tensors().entrySet()) {
            Matcher name = LORA_TENSOR.matcher(tensor.getKey());
            name.matches();
            String module = name.group(1);
            List<Long> weight = base.get(module + ".weight");
            if (weight == null || weight.size() != 2) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " adapts " + module + ", which base model '" + model.id() + "' has no linear weight for");
            }
            List<Long> shape = tensor.getValue().shape();
            boolean isA = name.group(2).equals("A");
            long fits = isA ? weight.get(1) : weight.get(0);
            long given = isA ? shape.get(1) : shape.get(0);
            if (given != fits) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " has shape " + shape + ", which does not fit " + module + " " + weight + " of base model '"
                        + model.id() + "' (lora_A must be [r, " + weight.get(1) + "], lora_B [" + weight.get(0)
                        + ", r])");
            }
        }
    }

    /** Every value of every tensor is finite: an adapter of NaN or Inf weights would write nothing but noise. */
    private static void checkFinite(Path file, SafetensorsHeader header) throws InvalidStylePackException {
        List<Map.Entry<String, SafetensorsHeader.TensorEntry>> byOffset = header.tensors().entrySet().stream()
                .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingLong(
                        SafetensorsHeader.TensorEntry::begin))).toList();
        long dataStart = header.dataStart();
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, SafetensorsHeader.TensorEntry> tensor : byOffset) {
                SafetensorsHeader.TensorEntry t = tensor.getValue();
                int width = t.dtype().equals("F32") ? 4 : 2;
                long position = dataStart + t.begin();
                long end = dataStart + t.end();
                while (position < end) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                    int n = channel.read(buffer, position);
                    if (n <= 0) {
                        throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                                + " is cut short");
                    }
                    position += n;
                    buffer.flip();
                    while (buffer.remaining() >= width) {
                        if (!finite(t.dtype(), buffer)) {
                            throw new InvalidStylePackException("adapter_model.safetensors: tensor "
                                    + tensor.getKey() + " holds NaN or infinite values");
                        }
                    }
                    // Tensors are whole multiples of the width and the buffer's size is too: nothing is left over.
                }
            }
        } catch (IOException e) {
            throw new InvalidStylePackException("adapter_model.safetensors cannot be read", e);
        }
    }

    /** Reads one value; whether its exponent is not all ones (which is what NaN and Inf are, in each format). */
    private static boolean finite(String dtype, java.nio.ByteBuffer buffer) {
        return switch (dtype) {
            case "F32" -> (buffer.getInt() & 0x7F80_0000) != 0x7F80_0000;
            case "F16" -> (buffer.getShort() & 0x7C00) != 0x7C00;
            default -> (buffer.getShort() & 0x7F80) != 0x7F80; // BF16
        };
    }

    private static JsonNode checkAdapterConfig(Path file) throws InvalidStylePackException {
        JsonNode config = readJson(file);
        String type = config.path("peft_type").asText("LORA");
        if (!type.equalsIgnoreCase("LORA")) {
            throw new InvalidStylePackException("adapter_config.json: peft_type " + type + " is not LORA");
        }
        if (config.path("r").asInt(0) <= 0) {
            throw new InvalidStylePackException("adapter_config.json: \"r\" must be a positive integer");
        }
        JsonNode targets = config.path("target_modules");
        if (!(targets.isArray() && targets.size() > 0) && !(targets.isTextual() && !targets.asText().isBlank())) {
            throw new InvalidStylePackException("adapter_config.json: \"target_modules\" is missing or empty");
        }
        return config;
    }

    /** @param rank the rank every module must have, or 0 when a rank_pattern varies it */
    private static SafetensorsHeader checkAdapterWeights(Path file, int rank) throws InvalidStylePackException {
        SafetensorsHeader header;
        try {
            header = SafetensorsHeader.read(file);
        } catch (IOException e) {
            throw new InvalidStylePackException("adapter_model.safetensors: " + stripPath(e.getMessage(), file), e);
        }
        if (header.tensors().isEmpty()) {
            throw new InvalidStylePackException("adapter_model.safetensors holds no tensors");
        }
        Map<String, Integer> halves = new HashMap<>();
        for (Map.Entry<String, SafetensorsHeader.TensorEntry> tensor : header.tensors().entrySet()) {
            Matcher name = LORA_TENSOR.matcher(tensor.getKey());
            if (!name.matches()) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " is not a PEFT LoRA weight (base_model.model.<module>.lora_A|lora_B.weight)");
            }
            List<Long> shape = tensor.getValue().shape();
            if (shape.size() != 2) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " has shape " + shape + ", expected two dimensions");
            }
            if (!List.of("F32", "F16", "BF16").contains(tensor.getValue().dtype())) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " has dtype " + tensor.getValue().dtype() + " (F32, F16 or BF16 expected)");
            }
            boolean isA = name.group(2).equals("A");
            long tensorRank = isA ? shape.get(0) : shape.get(1);
            if (rank > 0 && tensorRank != rank) {
                throw new InvalidStylePackException("adapter_model.safetensors: tensor " + tensor.getKey()
                        + " has rank " + tensorRank + " but adapter_config.json says r=" + rank);
            }
            halves.merge(name.group(1), isA ? 1 : 2, Integer::sum);
        }
        for (Map.Entry<String, Integer> module : halves.entrySet()) {
            if (module.getValue() != 3) {
                throw new InvalidStylePackException("adapter_model.safetensors: module " + module.getKey()
                        + " has only one of lora_A and lora_B");
            }
        }
        return header;
    }

    private static List<Exemplar> readExemplars(Path file) throws InvalidStylePackException {
        List<Exemplar> exemplars = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new InvalidStylePackException("exemplars.jsonl line " + number + ": not JSON ("
                            + e.getOriginalMessage() + ")", e);
                }
                if (!node.path("text").isTextual()) {
                    throw new InvalidStylePackException("exemplars.jsonl line " + number + ": no \"text\"");
                }
                exemplars.add(new Exemplar(node.path("id").asText(Integer.toString(number)),
                        node.path("title").asText(""), node.get("text").asText()));
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidStylePackException("exemplars.jsonl is not UTF-8", e);
        } catch (IOException e) {
            throw new InvalidStylePackException("exemplars.jsonl cannot be read", e);
        }
        return exemplars;
    }

    /** form-openers.tsv: UTF-8 lines "word TAB form word TAB count", at most {@link FormOpeners#MAX_KEYS} words. */
    static FormOpeners readFormOpeners(Path file) throws InvalidStylePackException {
        if (sizeOf(file) > 4L * 1024 * 1024) {
            throw new InvalidStylePackException(StylePackFormat.FORM_OPENERS + " is larger than 4 MiB");
        }
        try {
            return FormOpeners.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidStylePackException(StylePackFormat.FORM_OPENERS + " is not UTF-8", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidStylePackException(StylePackFormat.FORM_OPENERS + " " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidStylePackException(StylePackFormat.FORM_OPENERS + " cannot be read", e);
        }
    }

    private static long sizeOf(Path file) throws InvalidStylePackException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new InvalidStylePackException(file.getFileName() + " cannot be read", e);
        }
    }

    /** vocabulary.txt: UTF-8, one word a line (blank lines skipped), each a single word unit, at most 100,000. */
    static StyleVocabulary readVocabulary(Path file) throws InvalidStylePackException {
        return new StyleVocabulary(readWords(file, StylePackFormat.VOCABULARY, MAX_VOCABULARY));
    }

    /** A word list: UTF-8, one word a line (blank lines skipped), each a single word unit, at most {@code max}. */
    private static List<String> readWords(Path file, String name, int max) throws InvalidStylePackException {
        return readEntries(file, name, max, "words", word -> {
            List<String> units = StyleVocabulary.units(word);
            return units.size() == 1 && units.get(0).equals(word) ? null
                    : "is not one word (letters and digits, or one Han character)";
        });
    }

    /** label-lines.txt: UTF-8, a label a line, each at most {@link StyleVocabulary#MAX_LABEL_CHARS} characters. */
    private static List<String> readLabelLines(Path file) throws InvalidStylePackException {
        return readEntries(file, StylePackFormat.LABEL_LINES, StyleVocabulary.MAX_LABEL_LINES, "labels",
                label -> label.length() <= StyleVocabulary.MAX_LABEL_CHARS && !StyleVocabulary.units(label).isEmpty()
                        ? null : "is not a label (a word or a few, at most " + StyleVocabulary.MAX_LABEL_CHARS
                        + " characters)");
    }

    /**
     * The non-blank lines of a UTF-8 file, stripped, at most {@code max}; {@code problem} says what is wrong with a
     * line (null: nothing), which rejects the pack with the line's number.
     */
    private static List<String> readEntries(Path file, String name, int max, String what,
                                            java.util.function.Function<String, String> problem)
            throws InvalidStylePackException {
        List<String> entries = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String entry = line.strip();
                if (entry.isEmpty()) {
                    continue;
                }
                String wrong = problem.apply(entry);
                if (wrong != null) {
                    throw new InvalidStylePackException(name + " line " + number + ": '" + abbreviate(entry) + "' "
                            + wrong);
                }
                if (entries.size() >= max) {
                    throw new InvalidStylePackException(name + " has more than " + max + " " + what);
                }
                entries.add(entry);
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidStylePackException(name + " is not UTF-8", e);
        } catch (IOException e) {
            throw new InvalidStylePackException(name + " unreadable: " + e.getMessage(), e);
        }
        return entries;
    }

    /** More words than this is not a vocabulary but a dictionary: the guard would let almost anything through. */
    static final int MAX_VOCABULARY = 100_000;

    private static JsonNode readJson(Path file) throws InvalidStylePackException {
        String name = file.getFileName().toString();
        try {
            JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                throw new InvalidStylePackException(name + ": not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidStylePackException(name + ": malformed JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidStylePackException(name + ": cannot be read", e);
        }
    }

    private static String stripPath(String message, Path file) {
        return message.replace(file.toString() + ": ", "");
    }

    private static String abbreviate(String fingerprint) {
        return fingerprint.length() > 12 ? fingerprint.substring(0, 12) + "…" : fingerprint;
    }
}
