package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The engine as a service: models loaded once by folder and kept, adapters loaded once per (model, folder).
 * Plain Java too: {@code new Engine()} works outside OSGi.
 */
@Component(service = Engine.class, configurationPid = Engine.PID)
@Designate(ocd = Engine.Config.class)
public class Engine implements AutoCloseable {
    public static final String PID = "dev.penwright.engine";
    /**
     * The engine's draft length: on copy-heavy prompts 8 gave the largest speed-up of 2, 4 and 8 (bench engine
     * --speculative-only: 3.3x at batch 1, 2.9x at batch 8), and on prompts without a plan it stayed within the
     * noise (1.12x, 0.98x); see the README. A bare {@link LanguageModel#load} keeps one-token steps.
     */
    public static final int DEFAULT_LOOKAHEAD = 8;

    @ObjectClassDefinition(name = "Penwright engine", description = "The small-model runtime")
    public @interface Config {
        @AttributeDefinition(description = "Plan-lookup speculative decoding: draft tokens taken from the plan (or "
                + "the prompt) and verified in one forward pass; 0 = off. Output is identical either way.")
        int lookahead() default DEFAULT_LOOKAHEAD;

        @AttributeDefinition(description = "A half-precision (F16/BF16) checkpoint whose weights take at most this "
                + "many MB in F32 is held in F32: so small a model is bound by the cost of each call, not by the bytes "
                + "it reads, and skips a cast at every product. Larger ones keep two bytes a parameter. 0 = never.")
        long widenHalfUpToMb() default DEFAULT_WIDEN_HALF_UP_TO_MB;
    }

    /**
     * The embedded default (d384, 6 layers, F16; 55 MB in F32) decodes 25–35 % faster held in F32 on the machines
     * measured (bench engine --engine-only, 1 thread: batch 1 142–160 → 184–198 tok/s, batch 8 517–531 → 676–682,
     * prefill 3005–3145 → 4212), with identical outputs on 300 validation texts; the d512-l8 shape (120 MB in F32)
     * already decodes batch 8 faster in F16 (349–370 against 295–331 tok/s), so the line sits below it.
     */
    public static final long DEFAULT_WIDEN_HALF_UP_TO_MB = 64;

    private final Map<Path, LanguageModel> models = new LinkedHashMap<>();
    private final Map<Path, Map<Path, LoraAdapter>> adapters = new LinkedHashMap<>();
    private int lookahead = DEFAULT_LOOKAHEAD;
    private long widenHalfUpToMb = DEFAULT_WIDEN_HALF_UP_TO_MB;

    /** Outside OSGi: the defaults. */
    public Engine() {
    }

    @Activate
    public Engine(Config config) {
        configure(config);
    }

    /** Applies the configuration live: loaded models take the new draft length from their next step. */
    @Modified
    synchronized void configure(Config config) {
        lookahead(config.lookahead());
        widenHalfUpToMb = config.widenHalfUpToMb();
    }

    /** Sets the draft length of plan-lookup speculative decoding (0 = off) for every model, loaded or not. */
    public synchronized void lookahead(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("lookahead must be 0 (off) or positive, was " + k);
        }
        lookahead = k;
        models.values().forEach(m -> m.lookahead(k));
    }

    /** The model in this folder, loaded on first use. */
    public synchronized LanguageModel model(Path directory) throws IOException {
        Path key = directory.toAbsolutePath().normalize();
        LanguageModel m = models.get(key);
        if (m == null) {
            Path configJson = key.resolve("config.json");
            boolean small = java.nio.file.Files.isRegularFile(configJson)
                    && 4 * ModelConfig.read(configJson).parameterCount() <= widenHalfUpToMb * 1_000_000;
            m = small ? LanguageModel.loadF32(key) : LanguageModel.load(key);
            m.lookahead(lookahead);
            models.put(key, m);
        }
        return m;
    }

    /** The adapter in this folder for that model, loaded on first use. */
    public synchronized LoraAdapter adapter(LanguageModel model, Path adapterDirectory) throws IOException {
        Path modelKey = model.directory().toAbsolutePath().normalize();
        Path key = adapterDirectory.toAbsolutePath().normalize();
        Map<Path, LoraAdapter> forModel = adapters.computeIfAbsent(modelKey, k -> new LinkedHashMap<>());
        LoraAdapter a = forModel.get(key);
        if (a == null) {
            a = model.loadAdapter(key);
            forModel.put(key, a);
        }
        return a;
    }

    /**
     * Drops the adapter loaded from this folder (its pack version is gone for good): later requests load it anew, and
     * its memory is freed once the running batch no longer uses it.
     */
    public synchronized void evictAdapter(Path adapterDirectory) {
        Path key = adapterDirectory.toAbsolutePath().normalize();
        for (Map.Entry<Path, Map<Path, LoraAdapter>> forModel : adapters.entrySet()) {
            LoraAdapter evicted = forModel.getValue().remove(key);
            LanguageModel model = models.get(forModel.getKey());
            if (evicted != null && model != null) {
                model.retire(evicted);
            }
        }
    }

    /** How many adapters are loaded, over every model. */
    public synchronized int adaptersLoaded() {
        return adapters.values().stream().mapToInt(Map::size).sum();
    }

    /** Unloads a model and its adapters (its folder changed). */
    public synchronized void evictModel(Path directory) {
        Path key = directory.toAbsolutePath().normalize();
        Map<Path, LoraAdapter> a = adapters.remove(key);
        if (a != null) {
            a.values().forEach(LoraAdapter::close);
        }
        LanguageModel m = models.remove(key);
        if (m != null) {
            m.close();
        }
    }

    /**
     * Deactivated because the whole framework stops (SIGTERM, shutdown): generations in flight are failed at once, so
     * that the runtime stops promptly; deactivated otherwise (this bundle updated or stopped), they finish first.
     */
    @Deactivate
    void deactivate(BundleContext context) {
        Bundle framework = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        close(framework == null || framework.getState() != Bundle.STOPPING);
    }

    @Override
    public synchronized void close() {
        close(true);
    }

    private synchronized void close(boolean drainRequests) {
        // Models first: closing one finishes its generations in flight, which still read their adapters.
        models.values().forEach(m -> m.close(drainRequests));
        models.clear();
        adapters.values().forEach(m -> m.values().forEach(LoraAdapter::close));
        adapters.clear();
    }
}
