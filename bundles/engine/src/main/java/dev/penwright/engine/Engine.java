package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The engine as a service: models loaded once by folder and kept, adapters loaded once per (model, folder).
 * Plain Java too: {@code new Engine()} works outside OSGi.
 */
@Component(service = Engine.class)
public class Engine implements AutoCloseable {
    private final Map<Path, LanguageModel> models = new LinkedHashMap<>();
    private final Map<Path, Map<Path, LoraAdapter>> adapters = new LinkedHashMap<>();

    /** The model in this folder, loaded on first use. */
    public synchronized LanguageModel model(Path directory) throws IOException {
        Path key = directory.toAbsolutePath().normalize();
        LanguageModel m = models.get(key);
        if (m == null) {
            m = LanguageModel.load(key);
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

    /** Drops an adapter (a style pack was updated or removed); requests that hold it finish first on the scheduler. */
    public synchronized void evictAdapter(Path adapterDirectory) {
        Path key = adapterDirectory.toAbsolutePath().normalize();
        for (Map<Path, LoraAdapter> m : adapters.values()) {
            m.remove(key);
            // Not closed here: a running request may still use it; its memory goes with the model.
        }
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

    @Deactivate
    @Override
    public synchronized void close() {
        adapters.values().forEach(m -> m.values().forEach(LoraAdapter::close));
        adapters.clear();
        models.values().forEach(LanguageModel::close);
        models.clear();
    }
}
