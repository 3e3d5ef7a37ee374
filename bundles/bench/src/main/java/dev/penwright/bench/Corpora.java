package dev.penwright.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.trainer.data.CorpusText;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The corpora folders: one JSONL file (optionally gzipped) a style; the file of style X is the one whose entries have
 * style X. Folders are searched in order, so a user's corpus folder sits beside the project's own.
 */
public final class Corpora {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Path> folders;

    public Corpora(Path folder) {
        this(List.of(folder == null ? Path.of("") : folder));
    }

    public Corpora(List<Path> folders) {
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("no corpora folder given");
        }
        for (Path folder : folders) {
            if (folder == null || !Files.isDirectory(folder)) {
                throw new IllegalArgumentException("corpora folder not found: " + folder
                        + " (give --corpora DIR, -Dpenwright.corpora or PENWRIGHT_CORPORA)");
            }
        }
        this.folders = List.copyOf(folders);
    }

    /**
     * The folders given (--corpora, repeatable), then the default one (the system property, else the environment,
     * else the project's corpora/) when it exists: a new corpus is benchmarked beside the shipped ones.
     */
    public static List<Path> locateAll(List<Path> given) {
        List<Path> out = new ArrayList<>();
        for (Path p : given == null ? List.<Path>of() : given) {
            out.add(p.toAbsolutePath().normalize());
        }
        Path fallback = locate(null);
        if (out.isEmpty() || (Files.isDirectory(fallback) && !out.contains(fallback))) {
            out.add(fallback);
        }
        return out;
    }

    /** --corpora, else the system property, else the environment, else the project's corpora/ (run from its root). */
    public static Path locate(Path given) {
        if (given != null) {
            return given;
        }
        String p = System.getProperty("penwright.corpora");
        if (p == null || p.isBlank()) {
            p = System.getenv("PENWRIGHT_CORPORA");
        }
        return Path.of(p == null || p.isBlank() ? "corpora" : p).toAbsolutePath().normalize();
    }

    /** The first folder searched. */
    public Path folder() {
        return folders.get(0);
    }

    public List<Path> folders() {
        return folders;
    }

    /** Every text of the style, in file order. */
    public List<CorpusText> load(String style) throws IOException {
        for (Path folder : folders) {
            List<CorpusText> texts = load(folder, style);
            if (!texts.isEmpty()) {
                return texts;
            }
        }
        throw new IllegalArgumentException("no corpus in " + folders.stream().map(Path::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + " has entries of style '" + style + "'");
    }

    private static List<CorpusText> load(Path folder, String style) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(f -> f.getFileName().toString().matches(".*\\.jsonl(\\.gz)?")).sorted().toList();
        }
        // A file named after the style is tried first; any file whose first entry has the style is accepted.
        List<Path> ordered = new ArrayList<>(files.stream().filter(f -> f.getFileName().toString().startsWith(style + ".")).toList());
        files.stream().filter(f -> !ordered.contains(f)).forEach(ordered::add);
        for (Path f : ordered) {
            List<CorpusText> texts = read(f, style);
            if (!texts.isEmpty()) {
                return texts;
            }
        }
        return List.of();
    }

    private static List<CorpusText> read(Path file, String style) throws IOException {
        List<CorpusText> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IOException(file + ":" + n + ": not JSON: " + e.getMessage(), e);
                }
                String s = node.path("style").asText();
                if (!style.equals(s)) {
                    if (out.isEmpty()) {
                        return out; // a file of another style
                    }
                    continue;
                }
                out.add(new CorpusText(node.path("id").asText(), s, node.path("title").asText(""),
                        node.path("text").asText(""), node.path("source").asText(""), node.path("license").asText("")));
            }
        }
        return out;
    }

    /** zh when most letters are CJK, else en: what the BLEU tokenizer and the hallucination rules need. */
    public static String language(List<CorpusText> texts) {
        long cjk = 0;
        long letters = 0;
        for (CorpusText t : texts.subList(0, Math.min(50, texts.size()))) {
            for (int i = 0; i < t.text().length(); i++) {
                char c = t.text().charAt(i);
                if (Character.isLetter(c)) {
                    letters++;
                    if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                        cjk++;
                    }
                }
            }
        }
        return letters > 0 && cjk * 2 > letters ? "zh" : "en";
    }
}
