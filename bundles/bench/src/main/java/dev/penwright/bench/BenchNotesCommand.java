package dev.penwright.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The logic of {@code bench notes}: parses options, builds the rows from what is installed, runs, writes reports. */
@Command(name = "bench notes", mixinStandardHelpOptions = true,
        description = "The paper's style-imitation benchmark on each style's TEST split: plan the original, "
                + "regenerate it with each system, score against the original (ROUGE-L, BLEU-4, style, hallucination).")
public final class BenchNotesCommand implements Callable<Integer> {
    @Option(names = "--styles", required = true, split = ",", description = "corpus style names, comma separated")
    List<String> styles;

    @Option(names = "--n", defaultValue = "200", description = "test texts a style (default ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--seed", description = "sample the test split with this seed (default: its file order)")
    Long seed;

    @Option(names = "--corpora", description = "corpora folder (default: -Dpenwright.corpora, PENWRIGHT_CORPORA, ../shared/corpora)")
    Path corpora;

    @Option(names = "--planner", defaultValue = "extractive", description = "planner id (default ${DEFAULT-VALUE})")
    String plannerId;

    @Option(names = "--out", description = "folder for bench.json, bench.md, bench.html and the PNG charts")
    Path outDir;

    @Option(names = "--json", description = "print the result as JSON; progress as JSON lines on stderr")
    boolean json;

    @Option(names = "--progress-file", description = "write JSON progress lines to this file instead of stderr")
    Path progressFile;

    @Option(names = "--timeout", defaultValue = "600", description = "seconds a generation may take (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    private final Map<String, Planner> planners;
    private final Styler styler;
    private final List<StylePack> packs;
    private final PrintWriter out;
    private final PrintStream err;

    public BenchNotesCommand(Map<String, Planner> planners, Styler styler, List<StylePack> packs, PrintWriter out,
                             PrintStream err) {
        this.planners = Map.copyOf(planners);
        this.styler = styler;
        this.packs = List.copyOf(packs);
        this.out = out;
        this.err = err;
    }

    /** The seven rows of the paper's comparison, each either runnable or with the reason it is not. */
    public static List<BenchSystem> systems(Styler styler, List<StylePack> packs, long timeoutSeconds) {
        List<BenchSystem> rows = new ArrayList<>();
        rows.add(new NeutralDraftSystem());
        rows.add(new RetrievalSystem());
        rows.add(new StylerSystem("base", "Base model, no adapter (zero-shot; few-shot prompts not supported by the Styler API)",
                styler, Map.of(), false, "", timeoutSeconds));
        rows.add(new StylerSystem("s-sft", "S-SFT", styler, PackStages.byStyle(packs, PackStages.SFT), true,
                "no installed style pack of this style whose report.json is S-SFT only", timeoutSeconds));
        rows.add(new StylerSystem("s-sft-si", "S-SFT + self-improvement", styler,
                PackStages.byStyle(packs, PackStages.SELF_IMPROVE), true,
                "no installed style pack of this style with self-improvement rounds (and no C-DPO) in report.json",
                timeoutSeconds));
        rows.add(new StylerSystem("c-dpo", "S-SFT + self-improvement + C-DPO", styler,
                PackStages.byStyle(packs, PackStages.DPO), true,
                "no installed style pack of this style with a C-DPO stage in report.json", timeoutSeconds));
        rows.add(BenchSystem.unavailable("llm-fewshot", "LLM endpoint, few-shot",
                "the LLM few-shot row is not implemented in this benchmark version"));
        return rows;
    }

    @Override
    public Integer call() throws Exception {
        Planner planner = planners.get(plannerId);
        if (planner == null) {
            err.println("bench notes: no planner '" + plannerId + "' (installed: " + planners.keySet() + ")");
            return 2;
        }
        Corpora folder = new Corpora(Corpora.locate(corpora));
        try (ProgressReporter progress = new ProgressReporter(json, progressFile, err)) {
            BenchResult result = new BenchRunner(folder, planner, progress).run(styles, n, seed,
                    systems(styler, packs, timeoutSeconds));
            progress.finish();
            if (outDir != null) {
                for (Path f : new ReportWriter().write(result, outDir)) {
                    if (!json) {
                        out.println("wrote " + f);
                    }
                }
            }
            out.println(json ? ReportWriter.json(result) : ReportWriter.markdown(result));
            out.flush();
        }
        return 0;
    }

    /** A bar on stderr, or JSON lines (stderr or a file) with --json / --progress-file. */
    static final class ProgressReporter implements Progress, AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final boolean jsonLines;
        private final PrintStream err;
        private final java.io.Writer file;

        ProgressReporter(boolean json, Path progressFile, PrintStream err) throws IOException {
            this.jsonLines = json || progressFile != null;
            this.err = err;
            this.file = progressFile == null ? null : Files.newBufferedWriter(progressFile, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        @Override
        public synchronized void update(String phase, String style, String system, int done, int total) {
            try {
                if (jsonLines) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("phase", phase);
                    line.put("style", style);
                    line.put("system", system);
                    line.put("done", done);
                    line.put("total", total);
                    String s = JSON.writeValueAsString(line);
                    if (file != null) {
                        file.write(s + "\n");
                        file.flush();
                    } else {
                        err.println(s);
                    }
                } else {
                    int width = 30;
                    int filled = total == 0 ? width : done * width / total;
                    err.print("\r" + style + " " + phase + " " + system + " [" + "#".repeat(filled)
                            + "-".repeat(width - filled) + "] " + done + "/" + total + "   ");
                    err.flush();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void finish() {
            if (!jsonLines) {
                err.println();
            }
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                file.close();
            }
        }
    }
}
