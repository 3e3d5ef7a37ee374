package dev.penwright.engine.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import dev.penwright.api.serve.AdapterServing;
import dev.penwright.api.serve.LoadedAdapter;
import dev.penwright.api.style.FormOpeners;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.Engine;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.PlanContext;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Adapters loaded by name at run time on the engine (vLLM's load API, served by the server bundle), and raw-prompt
 * completions with them. An adapter is read into memory when loaded, so the folder may go away afterwards; an
 * unloaded adapter's memory is freed after the last request that holds it.
 */
@Component(service = AdapterServing.class, configurationPid = EngineAdapterServing.PID)
@Designate(ocd = EngineAdapterServing.Config.class)
public final class EngineAdapterServing implements AdapterServing {
    static final String PID = "dev.penwright.engine.serving";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EngineAdapterServing.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ObjectClassDefinition(name = "Penwright adapter serving",
            description = "Adapters loaded at run time through POST /v1/load_lora_adapter")
    public @interface Config {
        @AttributeDefinition(description = "Folders that adapters may be loaded from (their sub-folders too); "
                + "empty: the runtime's adapters/ folder. A load from anywhere else is refused.")
        String[] adapterRoots() default {};

        @AttributeDefinition(description = "Base model for an adapter folder that names none (no style.json "
                + "baseModel, no adapter_config.json base_model_name_or_path found in the catalog); empty: the only "
                + "installed model")
        String defaultModel() default "";
    }

    /** A loaded adapter and the requests running on it. */
    private static final class Served {
        final LoadedAdapter info;
        final LanguageModel model;
        final LoraAdapter adapter;
        final StyleVocabulary vocabulary;
        int running;
        boolean unloaded;

        Served(LoadedAdapter info, LanguageModel model, LoraAdapter adapter, StyleVocabulary vocabulary) {
            this.info = info;
            this.model = model;
            this.adapter = adapter;
            this.vocabulary = vocabulary;
        }
    }

    private final Engine engine;
    private final ModelCatalog catalog;
    private final Path home;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private volatile List<Path> roots = List.of();
    private volatile String defaultModel = "";

    @Activate
    public EngineAdapterServing(@Reference Engine engine, @Reference ModelCatalog catalog, BundleContext context,
                                Config config) {
        this.engine = engine;
        this.catalog = catalog;
        String h = context.getProperty("penwright.home");
        this.home = Path.of(h == null ? "." : h).toAbsolutePath().normalize();
        configure(config);
    }

    @Modified
    void configure(Config config) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : config.adapterRoots()) {
            if (!dir.isBlank()) {
                dirs.add(home.resolve(dir.trim()).toAbsolutePath().normalize());
            }
        }
        if (dirs.isEmpty()) {
            dirs.add(home.resolve("adapters"));
        }
        roots = List.copyOf(dirs);
        defaultModel = config.defaultModel();
    }

    @Deactivate
    void deactivate() {
        served.keySet().forEach(this::unloadQuietly);
    }

    @Override
    public LoadedAdapter load(String name, Path path) {
        if (name == null || name.isBlank() || path == null) {
            throw new GenerationException(GenerationException.INVALID_REQUEST,
                    "Both 'lora_name' and 'lora_path' must be provided.");
        }
        Path folder = allowed(path);
        synchronized (served) {
            if (served.containsKey(name)) {
                throw new GenerationException(ADAPTER_EXISTS, "The lora adapter '" + name + "' has already been "
                        + "loaded. If you want to load the adapter in place, set 'load_inplace' to True.");
            }
            BaseModelInfo base = baseModelOf(folder);
            try {
                LanguageModel model = engine.model(base.directory());
                LoraAdapter adapter = model.loadAdapter(folder);
                LoadedAdapter info = new LoadedAdapter(name, base.id(), Instant.now());
                served.put(name, new Served(info, model, adapter, vocabularyOf(folder)));
                LOG.info("loaded LoRA adapter " + name + " on " + base.id() + " from "
                        + folder);
                return info;
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                throw new GenerationException(GenerationException.INVALID_REQUEST, "the adapter in '"
                        + folder.getFileName() + "' does not load on base model '" + base.id() + "': "
                        + e.getMessage(), 0, e);
            }
        }
    }

    @Override
    public void unload(String name) {
        Served s;
        synchronized (served) {
            s = served.remove(name);
            if (s == null) {
                throw new GenerationException(ADAPTER_NOT_FOUND, "The lora adapter '" + name
                        + "' cannot be found.");
            }
            s.unloaded = true;
            LOG.info("unloaded LoRA adapter " + name + (s.running > 0 ? " (after its "
                    + s.running + " running request(s))" : ""));
            if (s.running > 0) {
                return; // the last running request closes it
            }
        }
        s.adapter.close();
    }

    private void unloadQuietly(String name) {
        try {
            unload(name);
        } catch (GenerationException gone) {
            // Unloaded meanwhile.
        }
    }

    @Override
    public Optional<LoadedAdapter> find(String name) {
        Served s = name == null ? null : served.get(name);
        return s == null ? Optional.empty() : Optional.of(s.info);
    }

    @Override
    public List<LoadedAdapter> adapters() {
        return served.values().stream().map(s -> s.info).sorted(Comparator.comparing(LoadedAdapter::name)).toList();
    }

    @Override
    public CompletionStage<StyledText> complete(String name, String prompt, GenerationOptions options,
                                                TokenListener listener) {
        Served s;
        synchronized (served) {
            s = served.get(name);
            if (s == null) {
                return CompletableFuture.failedFuture(new GenerationException(ADAPTER_NOT_FOUND,
                        "The model `" + name + "` does not exist."));
            }
            s.running++;
        }
        try {
            CompletableFuture<StyledText> done = start(s, prompt, options, listener == null ? TokenListener.NONE
                    : listener);
            done.whenComplete((r, e) -> release(s));
            return done;
        } catch (RuntimeException e) {
            release(s);
            return CompletableFuture.failedFuture(e instanceof GenerationException g ? g : new GenerationException(
                    GenerationException.INVALID_REQUEST, e.getMessage(), 0, e));
        }
    }

    private CompletableFuture<StyledText> start(Served s, String prompt, GenerationOptions requested,
                                                TokenListener listener) {
        if (prompt == null || prompt.isEmpty()) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "the prompt is empty");
        }
        long[] ids = s.model.encode(prompt);
        int room = s.model.config().maxPositions() - ids.length;
        if (room <= 0) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "the prompt has " + ids.length
                    + " tokens; the model's context is " + s.model.config().maxPositions());
        }
        GenerationOptions options = (requested == null ? GenerationOptions.UNSET : requested)
                .over(GenerationOptions.DEFAULTS);
        if (options.maxNewTokens() > room) {
            options = options.withMaxNewTokens(room);
        }
        // A ready prompt has no separate plan: the whole prompt is what copying may draw on.
        PlanContext plan = options.isCopyAware() && ids.length > 0
                ? PlanContext.span(ids, 0, ids.length, s.vocabulary.words()).withForm(s.vocabulary)
                : null;
        return s.model.submit(new GenerateRequest(ids, options, s.adapter, (id, lp, text) -> {
            if (!text.isEmpty()) {
                listener.onText(text);
            }
        }, plan)).thenApply(g -> new StyledText(g.text() == null ? "" : g.text(), s.info.baseModel(), s.info.name(),
                g.promptTokens(), g.tokenIds().size(), g.finishReason()));
    }

    private void release(Served s) {
        boolean close;
        synchronized (served) {
            s.running--;
            close = s.unloaded && s.running == 0;
        }
        if (close) {
            s.adapter.close();
        }
    }

    /** The folder, if it lies under an adapter root once symbolic links are resolved. */
    private Path allowed(Path path) {
        Path real;
        try {
            real = path.toAbsolutePath().normalize().toRealPath();
        } catch (IOException e) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "No adapter found at '"
                    + path.getFileName() + "'", 0, e);
        }
        for (Path root : roots) {
            try {
                if (Files.isDirectory(root) && real.startsWith(root.toRealPath()) && !real.equals(root.toRealPath())) {
                    if (!Files.isRegularFile(real.resolve("adapter_config.json"))
                            || !Files.isRegularFile(real.resolve("adapter_model.safetensors"))) {
                        throw new GenerationException(GenerationException.INVALID_REQUEST, "'" + real.getFileName()
                                + "' holds no adapter_config.json and adapter_model.safetensors");
                    }
                    return real;
                }
            } catch (IOException unreadableRoot) {
                // Not a root this path can be under.
            }
        }
        throw new GenerationException(PATH_NOT_ALLOWED, "lora_path is outside the folders adapters may be loaded "
                + "from (adapterRoots in etc/" + PID + ".cfg)");
    }

    /** style.json's baseModel, else adapter_config.json's base_model_name_or_path, else the configured default. */
    private BaseModelInfo baseModelOf(Path folder) {
        List<String> candidates = new ArrayList<>();
        candidates.add(field(folder.resolve("style.json"), "baseModel"));
        String hf = field(folder.resolve("adapter_config.json"), "base_model_name_or_path");
        candidates.add(hf);
        if (hf != null) {
            candidates.add(hf.substring(hf.lastIndexOf('/') + 1));
        }
        candidates.add(defaultModel);
        for (String id : candidates) {
            if (id != null && !id.isBlank()) {
                Optional<BaseModelInfo> found = catalog.find(id);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        List<BaseModelInfo> all = catalog.models();
        if (all.size() == 1) {
            return all.get(0);
        }
        throw new GenerationException(GenerationException.INVALID_REQUEST, "the adapter names no installed base model "
                + "and " + (all.isEmpty() ? "none is installed" : "several are (set defaultModel in etc/" + PID
                + ".cfg)"));
    }

    private static String field(Path json, String name) {
        try {
            JsonNode node = JSON.readTree(json.toFile());
            return node != null && node.path(name).isTextual() ? node.get(name).asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * vocabulary.txt, form-words.txt, form-openers.tsv and exemplars.jsonl beside the adapter, or none: the fact
     * guard then allows the prompt's words only, and the copy bias leaves no words but the prompt's to the model.
     */
    private static StyleVocabulary vocabularyOf(Path folder) {
        return new StyleVocabulary(words(folder.resolve("vocabulary.txt")), words(folder.resolve("form-words.txt")),
                openers(folder.resolve("form-openers.tsv")), signsOff(folder.resolve("exemplars.jsonl")));
    }

    /** Whether the exemplars beside the adapter (a pack's exemplars.jsonl) sign off; false without them. */
    private static boolean signsOff(Path exemplars) {
        if (!Files.isRegularFile(exemplars)) {
            return false;
        }
        try {
            List<String> texts = new ArrayList<>();
            for (String line : Files.readAllLines(exemplars, StandardCharsets.UTF_8)) {
                JsonNode text = line.isBlank() ? null : JSON.readTree(line).path("text");
                if (text != null && text.isTextual()) {
                    texts.add(text.asText());
                }
            }
            return StyleVocabulary.signsOff(texts);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static FormOpeners openers(Path file) {
        if (!Files.isRegularFile(file)) {
            return FormOpeners.NONE;
        }
        try {
            return FormOpeners.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return FormOpeners.NONE;
        }
    }

    private static List<String> words(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return new StyleVocabulary(Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(w -> !w.isEmpty()).toList()).words();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
