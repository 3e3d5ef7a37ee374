package dev.penwright.styler.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.style.StylePack;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base models loaded once each (by id and fingerprint) and the adapters of the packs used on them (by pack ref).
 * An adapter whose pack has a newer version, or that falls out of the bounded cache, is closed after a grace period,
 * so requests that started on it finish first.
 */
public final class LoadedModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModels.class);
    private static final long CLOSE_GRACE_SECONDS = 120;

    private final int maxAdapters;
    private final Map<String, LanguageModel> models = new HashMap<>();
    private final Map<String, LoraAdapter> adapters = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "penwright-styler-closer");
        t.setDaemon(true);
        return t;
    });

    public LoadedModels(int maxAdapters) {
        this.maxAdapters = maxAdapters;
    }

    public synchronized LanguageModel model(BaseModelInfo info) {
        String key = info.id() + "#" + info.fingerprint();
        LanguageModel model = models.get(key);
        if (model == null) {
            long started = System.nanoTime();
            try {
                model = LanguageModel.load(info.directory());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load base model " + info.id() + ": " + e.getMessage(), e);
            }
            models.put(key, model);
            LOG.info("base model {} loaded from {} in {} ms", info.id(), info.directory(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        return model;
    }

    /** The adapter of {@code pack} on {@code model}, loaded from the pack's folder on first use. */
    public synchronized LoraAdapter adapter(LanguageModel model, StylePack pack) {
        String key = model.directory() + "|" + pack.ref();
        LoraAdapter adapter = adapters.get(key);
        if (adapter == null) {
            try {
                adapter = model.loadAdapter(pack.directory());
            } catch (IOException e) {
                throw new UncheckedIOException("style pack " + pack.ref() + ": " + e.getMessage(), e);
            }
            retireOlderVersions(model, pack);
            adapters.put(key, adapter);
            while (adapters.size() > maxAdapters) {
                String eldest = adapters.keySet().iterator().next();
                retire(adapters.remove(eldest));
            }
        }
        return adapter;
    }

    private void retireOlderVersions(LanguageModel model, StylePack pack) {
        String prefix = model.directory() + "|" + pack.descriptor().id() + "@";
        List<String> stale = new ArrayList<>();
        adapters.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(stale::add);
        stale.forEach(k -> retire(adapters.remove(k)));
    }

    private void retire(LoraAdapter adapter) {
        closer.schedule(adapter::close, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        closer.shutdownNow();
        adapters.values().forEach(LoraAdapter::close);
        adapters.clear();
        models.values().forEach(LanguageModel::close);
        models.clear();
    }
}
