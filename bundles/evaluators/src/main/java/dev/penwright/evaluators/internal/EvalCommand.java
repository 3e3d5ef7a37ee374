package dev.penwright.evaluators.internal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.penwright.evaluators.Pair;
import dev.penwright.evaluators.PairsFile;
import dev.penwright.evaluators.PairsFileException;
import dev.penwright.evaluators.PairsReport;
import dev.penwright.evaluators.PairsScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The picocli command behind {@link EvalSubcommand}; the scoring itself is {@link PairsScorer}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Scores a pairs file: corpus BLEU-4 as sacrebleu computes it (13a, or zh for Chinese; exp "
                + "smoothing), mean ROUGE-L and ROUGE-Lsum F-measures as rouge-score computes them (CJK characters as "
                + "tokens), and per pair sentence BLEU (effective order), ROUGE-L and ROUGE-Lsum. Pairs with a "
                + "\"source\" also get the facts of the hypothesis the source lacks.",
                "Each line of FILE: {\"id\", \"hypothesis\", \"reference\", \"source\"?}. Scores are 0-100."},
        exitCodeOnInvalidInput = 2)
public class EvalCommand implements Callable<Integer> {
    @Option(names = "--pairs", required = true, paramLabel = "FILE.jsonl", description = "the pairs file")
    Path pairs;

    @Option(names = "--lang", paramLabel = "en|zh",
            description = "target language: en uses sacrebleu's 13a tokenizer, zh its zh tokenizer; "
                    + "default: zh when CJK characters are over a quarter of the references' text, else en")
    String lang;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--stem", description = "Porter-stem ROUGE tokens (rouge-score's use_stemmer=True); default: no")
    boolean stem;

    private final PrintWriter out;
    private final PrintWriter err;

    public EvalCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (lang != null && !lang.equals("en") && !lang.equals("zh")) {
            err.println("eval: --lang must be en or zh, got \"" + lang + "\"");
            return 2;
        }
        List<Pair> read;
        try {
            read = new PairsFile().read(pairs);
        } catch (PairsFileException e) {
            err.println("eval: " + e.getMessage());
            return 1;
        }
        if (read.isEmpty()) {
            err.println("eval: " + pairs + ": no pairs");
            return 1;
        }
        String language = lang != null ? lang
                : Languages.detect(read.stream().map(Pair::reference).toList());
        PairsReport report = new PairsScorer(stem).score(read, language);
        if (json) {
            printJson(report);
        } else {
            printTable(report);
        }
        out.flush();
        return 0;
    }

    private void printJson(PairsReport r) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("bleu4", round(r.bleu4()));
        root.put("rougeL", round(r.rougeL()));
        root.put("rougeLsum", round(r.rougeLsum()));
        if (!Double.isNaN(r.factualHallucination())) {
            root.put("factualHallucination", round(r.factualHallucination()));
        }
        root.put("lang", r.language());
        root.put("n", r.items().size());
        ObjectNode sigs = root.putObject("signatures");
        r.signatures().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> sigs.put(e.getKey(), e.getValue()));
        ArrayNode items = root.putArray("items");
        for (PairsReport.Item it : r.items()) {
            ObjectNode o = items.addObject();
            o.put("id", it.id());
            o.put("bleu4", round(it.bleu4()));
            o.put("rougeL", round(it.rougeL()));
            o.put("rougeLsum", round(it.rougeLsum()));
            if (it.unsupportedFacts() != null) {
                ArrayNode facts = o.putArray("unsupportedFacts");
                it.unsupportedFacts().forEach(facts::add);
            }
        }
        out.println(mapper.writeValueAsString(root));
    }

    /** Four decimals: enough to compare with the reference tools to 0.01, short enough to read. */
    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private void printTable(PairsReport r) {
        out.printf(Locale.ROOT, "%d pairs, lang %s%n%n", r.items().size(), r.language());
        int idWidth = Math.max("corpus".length(), Math.min(40, r.items().stream().mapToInt(i -> i.id().length()).max().orElse(2)));
        String row = "%-" + idWidth + "s  %7s  %7s  %9s%n";
        out.printf(Locale.ROOT, row, "id", "BLEU-4", "ROUGE-L", "ROUGE-Lsum");
        for (PairsReport.Item it : r.items()) {
            String id = it.id().length() > idWidth ? it.id().substring(0, idWidth - 1) + "…" : it.id();
            out.printf(Locale.ROOT, row, id, fmt(it.bleu4()), fmt(it.rougeL()), fmt(it.rougeLsum()));
        }
        out.printf(Locale.ROOT, row, "corpus", fmt(r.bleu4()), fmt(r.rougeL()), fmt(r.rougeLsum()));
        out.println();
        List<String> notes = new ArrayList<>();
        if (!Double.isNaN(r.factualHallucination())) {
            notes.add(String.format(Locale.ROOT, "factual hallucination: %.2f%% of pairs with a source",
                    r.factualHallucination()));
        }
        notes.forEach(out::println);
        r.signatures().forEach((k, v) -> out.printf(Locale.ROOT, "%s: %s%n", k, v));
        out.println("(corpus BLEU-4 sums n-gram statistics over all pairs; per-pair BLEU-4 uses the effective order)");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
