package dev.penwright.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.generate.GenerationService;
import dev.penwright.trainer.data.Split;
import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.Styler;
import dev.penwright.engine.Engine;
import dev.penwright.evaluators.LlmHallucinationJudge;
import dev.penwright.engine.styler.StyleRenderer;
import dev.penwright.models.ModelFolder;
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

    @Option(names = "--corpora", description = "a corpora folder, searched before the default one (repeatable; "
            + "default: -Dpenwright.corpora, PENWRIGHT_CORPORA, corpora/ in the working directory, the project root)")
    List<Path> corpora;

    @Option(names = "--planner", description = "planner id (default: the pipeline's configured default planner; "
            + "extractive when no pipeline is running)")
    String plannerId;

    @Option(names = "--out", description = "folder for bench.json, bench.md, bench.html and the PNG charts")
    Path outDir;

    @Option(names = "--json", description = "print the result as JSON; progress as JSON lines on stderr")
    boolean json;

    @Option(names = "--progress-file", description = "write JSON progress lines to this file instead of stderr")
    Path progressFile;

    @Option(names = "--timeout", defaultValue = "600", description = "seconds a generation may take (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--packs", description = "folder of style-pack jars (searched recursively, *.jar), validated as the "
            + "extender does but not deployed; they fill the S-SFT, self-improvement and C-DPO rows by their "
            + "report.json, and replace installed packs for the styles they serve")
    Path packsDir;

    @Option(names = "--model", description = "base model folder (Hugging Face layout) for the model rows "
            + "(default: the packs' base model as installed)")
    Path modelDir;

    @Option(names = "--shots", defaultValue = "2", description = "few-shot exemplars (TRAIN texts with their plans) in "
            + "the base-model and LLM prompts (default ${DEFAULT-VALUE}; 0: zero-shot)")
    int shots;

    @Option(names = "--shot-selection", defaultValue = "nearest", description = "nearest (TF-IDF, as the retrieval row)"
            + " or seeded (the same seeded sample for every text) (default ${DEFAULT-VALUE})")
    String shotSelection;

    @Option(names = "--shot-format", defaultValue = "pairs", description = "pairs (each exemplar after its plan, as in "
            + "training) or texts (the exemplar texts alone: half the tokens, for short contexts) (default ${DEFAULT-VALUE})")
    String shotFormat;

    @Option(names = "--llm", description = "LLM endpoint id for the LLM few-shot row (default: the planner's, if it is "
            + "an LLM planner, else the first configured)")
    String llmId;

    @Option(names = "--judge", description = "also rate hallucination with the LLM endpoint as judge (one call an "
            + "output and row; needs an endpoint, see --llm)")
    boolean judgeWithLlm;

    @Option(names = "--concurrency", defaultValue = "1", description = "texts a system renders at once; above 1 "
            + "the engine batches them (several times faster on a CPU), but batched matmuls round differently, so "
            + "only 1 repeats a run exactly (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--rows", split = ",", description = "run only these rows, by key: original, neutral-draft, "
            + "plan-text, retrieval, base, s-sft, s-sft-si, c-dpo, c-dpo-plain, llm-fewshot (default: all)")
    List<String> rowKeys;

    @Option(names = "--split", defaultValue = "test", description = "the split the texts come from: test, or "
            + "validation to choose decoding options without looking at the test texts (default ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--temperature", description = "sampling temperature of the shipped row and its ablation, over "
            + "the packs' defaults (default: the packs')")
    Double temperature;

    @Option(names = "--max-tokens", description = "new tokens at most for the shipped row and its ablation, over "
            + "the packs' defaults (default: the packs')")
    Integer maxTokens;

    @Option(names = "--copy-bias", description = "plan-copy bias of the shipped row, over the packs' defaults "
            + "(default: the packs')")
    Double copyBias;

    @Option(names = "--llm-max-tokens", defaultValue = "512", description = "upper bound on an LLM answer's tokens "
            + "(default ${DEFAULT-VALUE})")
    int llmMaxTokens;

    private final Map<String, Planner> planners;
    private final Styler styler;
    private final List<StylePack> packs;
    private final Engine engine;
    private final ModelCatalog models;
    private final List<LlmEndpoint> endpoints;
    private final PrintWriter out;
    private final PrintStream err;
    private String defaultPlanner = GenerationService.DEFAULT_PLANNER;

    /** With only a Styler and packs (tests, and runtimes without the engine's own services). */
    public BenchNotesCommand(Map<String, Planner> planners, Styler styler, List<StylePack> packs, PrintWriter out,
                             PrintStream err) {
        this(planners, styler, packs, null, null, List.of(), out, err);
    }

    /**
     * @param engine    the engine, to render with a base model the command chooses ({@code --model}, or the packs');
     *                  null: the Styler service renders
     * @param models    the installed base models (validates {@code --packs}); may be null without {@code --packs}
     * @param endpoints the configured LLM endpoints
     */
    public BenchNotesCommand(Map<String, Planner> planners, Styler styler, List<StylePack> packs, Engine engine,
                             ModelCatalog models, List<LlmEndpoint> endpoints, PrintWriter out, PrintStream err) {
        this.planners = Map.copyOf(planners);
        this.styler = styler;
        this.packs = List.copyOf(packs);
        this.engine = engine;
        this.models = models;
        this.endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        this.out = out;
        this.err = err;
    }

    /** The planner used without {@code --planner}: the pipeline's default ({@code GenerationService.defaultPlannerId}). */
    public BenchNotesCommand defaultPlanner(String id) {
        defaultPlanner = id;
        return this;
    }

    /**
     * The original texts (the reference row) and the seven rows of the paper's comparison, each either runnable or
     * with the reason it is not.
     */
    public static List<BenchSystem> systems(Styler styler, List<StylePack> packs, long timeoutSeconds) {
        return systems(styler, packs, null, null, "no LLM endpoint is configured", 0, timeoutSeconds);
    }

    /**
     * @param fewShots  the base-model and LLM rows' exemplars, or null for zero-shot
     * @param llm       the LLM row's endpoint, or null
     * @param noLlm     why there is none
     */
    public static List<BenchSystem> systems(Styler styler, List<StylePack> packs, FewShots fewShots, LlmEndpoint llm,
                                            String noLlm, int llmMaxTokens, long timeoutSeconds) {
        return systems(styler, packs, fewShots, llm, noLlm, llmMaxTokens, timeoutSeconds, GenerationOptions.UNSET);
    }

    /** @param shipped what the shipped row (and its ablation) sets over the packs' defaults */
    public static List<BenchSystem> systems(Styler styler, List<StylePack> packs, FewShots fewShots, LlmEndpoint llm,
                                            String noLlm, int llmMaxTokens, long timeoutSeconds,
                                            GenerationOptions shipped) {
        List<BenchSystem> rows = new ArrayList<>();
        rows.add(new OriginalSystem());
        rows.add(new NeutralDraftSystem());
        rows.add(new PlanTextSystem());
        rows.add(new RetrievalSystem());
        int k = fewShots == null ? 0 : fewShots.k();
        rows.add(new StylerSystem("base", "Base model, no adapter (" + (k == 0 ? "zero-shot" : k + "-shot") + ")",
                styler, Map.of(), false, "", timeoutSeconds, k == 0 ? null : fewShots));
        rows.add(new StylerSystem("s-sft", "S-SFT", styler, PackStages.byStyle(packs, PackStages.SFT), true,
                "no style pack of this style whose report.json is S-SFT only", timeoutSeconds));
        rows.add(new StylerSystem("s-sft-si", "S-SFT + self-improvement", styler,
                PackStages.byStyle(packs, PackStages.SELF_IMPROVE), true,
                "no style pack of this style with self-improvement rounds (and no C-DPO) in report.json",
                timeoutSeconds));
        // The shipped packs are the C-DPO stage, rendered with the decoding options they carry (copy-aware decoding
        // on); the ablation row renders the same packs with copy-aware decoding off, to show what decoding adds.
        Map<String, StylePack> finalPacks = PackStages.byStyle(packs, PackStages.DPO);
        rows.add(new StylerSystem("c-dpo", "S-SFT + self-improvement + C-DPO (as shipped)", styler, finalPacks, true,
                "no style pack of this style with a C-DPO stage in report.json", timeoutSeconds, null,
                shipped, true));
        rows.add(new StylerSystem("c-dpo-plain", "the same packs, copy-aware decoding off", styler, finalPacks, true,
                "no style pack of this style with a C-DPO stage in report.json", timeoutSeconds, null,
                shipped.withCopyAware(0.0, false, 0.0), false));
        rows.add(llm == null || fewShots == null ? BenchSystem.unavailable("llm-fewshot", "LLM endpoint, few-shot", noLlm)
                : new LlmFewShotSystem(llm, fewShots, llmMaxTokens));
        return rows;
    }

    @Override
    public Integer call() throws Exception {
        plannerId = plannerId != null ? plannerId : defaultPlanner;
        Planner planner = planners.get(plannerId);
        if (planner == null) {
            err.println("bench notes: no planner '" + plannerId + "' (installed: " + planners.keySet() + ")");
            return 2;
        }
        FewShots.Selection selection;
        try {
            selection = FewShots.Selection.valueOf(shotSelection.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("bench notes: --shot-selection must be nearest or seeded, not '" + shotSelection + "'");
            return 2;
        }
        FewShots.Format format;
        try {
            format = FewShots.Format.valueOf(shotFormat.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("bench notes: --shot-format must be pairs or texts, not '" + shotFormat + "'");
            return 2;
        }
        if (shots < 0) {
            err.println("bench notes: --shots must be 0 or more");
            return 2;
        }
        Corpora folder = new Corpora(Corpora.locateAll(corpora));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("concurrency", Math.max(1, concurrency));
        ModelCatalog catalog = models;
        BaseModelInfo forced = null;
        if (modelDir != null) {
            Path dir = modelDir.toAbsolutePath().normalize();
            if (!ModelFolder.isModel(dir)) {
                err.println("bench notes: --model " + modelDir + " is not a model folder (no config.json)");
                return 2;
            }
            forced = ModelFolder.read(dir.getFileName().toString(), dir);
            catalog = ModelOverlay.of(forced);
            settings.put("model", forced.id() + " (" + dir + ", fingerprint " + forced.fingerprint() + ")");
        }
        if (packsDir != null && catalog == null) {
            err.println("bench notes: --packs needs the model catalog (the models bundle is not running)");
            return 2;
        }
        PackFolder loaded = packsDir == null ? null : PackFolder.load(packsDir, catalog);
        try {
            List<StylePack> runPacks = new ArrayList<>(loaded == null ? packs : loaded.over(packs));
            if (forced != null) {
                // Installed packs trained on another model than --model would fail every text: leave them out, say so.
                String fp = forced.fingerprint();
                List<String> skipped = runPacks.stream().filter(p -> !(p instanceof PackFolder.LoadedPack))
                        .filter(p -> p.descriptor().baseModelFingerprint() != null
                                && !p.descriptor().baseModelFingerprint().isBlank()
                                && !p.descriptor().baseModelFingerprint().equals(fp))
                        .map(p -> p.ref() + ": trained on another base model than --model").toList();
                runPacks.removeIf(p -> skipped.stream().anyMatch(s -> s.startsWith(p.ref() + ":")));
                if (!skipped.isEmpty()) {
                    settings.put("packsSkipped", skipped);
                }
            }
            if (loaded != null) {
                // Relative to the working directory when inside it: a report names no machine's paths.
                Path cwd = Path.of("").toAbsolutePath();
                Path packsPath = packsDir.toAbsolutePath().normalize();
                settings.put("packsFolder", (packsPath.startsWith(cwd) ? cwd.relativize(packsPath) : packsPath)
                        .toString());
                settings.put("packsLoaded", loaded.packs().stream().map(p -> p.ref() + " "
                        + PackStages.stage(p.directory()).orElse("no stage") + " (" + p.jar() + ")").toList());
                settings.put("packsRejected", loaded.rejected().stream().map(r -> r.jar() + ": " + r.reason()).toList());
                if (!json) {
                    loaded.rejected().forEach(r -> err.println("bench notes: --packs: " + r.jar() + " rejected: "
                            + r.reason()));
                }
            }
            Styler runStyler = styler;
            if (engine != null && catalog != null) {
                String defaultModel = forced != null ? forced.id() : runPacks.stream().map(p -> p.descriptor().baseModel())
                        .filter(m -> m != null && !m.isBlank()).findFirst().orElse("");
                ModelCatalog c = catalog;
                StyleRenderer renderer = new StyleRenderer(engine, new StyleRenderer.Models() {
                    @Override
                    public BaseModelInfo find(String id) {
                        return c.find(id).orElse(null);
                    }

                    @Override
                    public BaseModelInfo sole() {
                        return c.models().size() == 1 ? c.models().get(0) : null;
                    }
                }, defaultModel);
                runStyler = renderer::style;
                settings.put("baseModel", defaultModel.isEmpty() ? "the only installed model" : defaultModel);
            }
            FewShots fewShots = new FewShots(shots, selection, format, seed == null ? 42L : seed, planner);
            settings.put("shots", fewShots.description());
            LlmEndpoint llm = null;
            String noLlm;
            if (llmId != null) {
                llm = endpoints.stream().filter(e -> e.id().equals(llmId)).findFirst().orElse(null);
                noLlm = "no LLM endpoint '" + llmId + "' (configured: "
                        + (endpoints.isEmpty() ? "none" : endpoints.stream().map(LlmEndpoint::id).sorted().toList()) + ")";
            } else {
                llm = endpoints.stream().filter(e -> e.id().equals(plannerId)).findFirst()
                        .orElse(endpoints.stream().min(java.util.Comparator.comparing(LlmEndpoint::id)).orElse(null));
                noLlm = "no LLM endpoint is configured (an LLM planner configuration, "
                        + "etc/dev.penwright.planner.llm-<name>.cfg, provides one; see bundles/planner-llm)";
            }
            LlmHallucinationJudge judge = null;
            if (judgeWithLlm) {
                if (llm == null) {
                    err.println("bench notes: --judge needs an LLM endpoint: " + noLlm);
                    return 2;
                }
                judge = new LlmHallucinationJudge(llm);
                settings.put("judge", judge.signature());
            }
            if (llm != null && shots == 0) {
                llm = null;
                noLlm = "--shots 0: the LLM row is a few-shot row";
            }
            Split part = switch (split) {
                case "test" -> Split.TEST;
                case "validation" -> Split.VALIDATION;
                default -> null;
            };
            if (part == null) {
                err.println("bench notes: --split must be test or validation, not '" + split + "'");
                return 2;
            }
            settings.put("split", split);
            if (copyBias != null && (copyBias < 0 || copyBias.isNaN())) {
                err.println("bench notes: --copy-bias must be 0 or more");
                return 2;
            }
            GenerationOptions shipped = new GenerationOptions(maxTokens, temperature, null, null, null, null, null,
                    copyBias, null, null);
            if (temperature != null || copyBias != null || maxTokens != null) {
                settings.put("shippedOptions", "over the packs' defaults: temperature " + temperature + ", copyBias "
                        + copyBias + ", maxNewTokens " + maxTokens);
            }
            List<BenchSystem> systems = systems(runStyler, runPacks, fewShots, llm, noLlm, llmMaxTokens,
                    timeoutSeconds, shipped);
            if (rowKeys != null) {
                List<String> known = systems.stream().map(BenchSystem::key).toList();
                List<String> unknown = rowKeys.stream().filter(k -> !known.contains(k)).toList();
                if (!unknown.isEmpty() || rowKeys.isEmpty()) {
                    err.println("bench notes: --rows: unknown row " + unknown + " (rows: " + String.join(", ", known)
                            + ")");
                    return 2;
                }
                systems = systems.stream().filter(sys -> rowKeys.contains(sys.key())).toList();
                settings.put("rows", rowKeys);
            }
            try (ProgressReporter progress = new ProgressReporter(json, progressFile, err)) {
                BenchResult result = new BenchRunner(folder, planner, progress, judge, concurrency)
                        .run(styles, n, seed, systems, settings, part);
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
        } finally {
            if (loaded != null) {
                loaded.close();
            }
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
