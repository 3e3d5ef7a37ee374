package dev.penwright.models.internal;

import dev.penwright.models.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base models in the configured folders: each sub-folder with a config.json is a model named after the folder.
 * A configuration change rescans, and so does every listing and a lookup of an unknown id, so a model copied in is
 * listed and found without a restart (a scan reads config.json, tokenizer.json and the safetensors headers only, never
 * the weights). Listings are in scan order: the roots as configured, each root's models by folder name.
 */
@Component(service = ModelCatalog.class, configurationPid = "dev.penwright.models")
@Designate(ocd = FolderModelCatalog.Config.class)
public final class FolderModelCatalog implements ModelCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(FolderModelCatalog.class);

    @ObjectClassDefinition(name = "Penwright base models", description = "Where base models live.")
    public @interface Config {
        @AttributeDefinition(description = "Folders whose sub-folders are Hugging Face model folders; empty means "
                + "the runtime's models/ folder.")
        String[] dirs() default {};
    }

    private volatile List<Path> roots = List.of();
    private volatile Map<String, BaseModelInfo> models = Map.of();

    @Activate
    @Modified
    void configure(BundleContext context, Config config) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : config.dirs()) {
            if (!dir.isBlank()) {
                dirs.add(Path.of(dir.trim()));
            }
        }
        if (dirs.isEmpty() && context.getProperty("penwright.models") != null) {
            dirs.add(Path.of(context.getProperty("penwright.models")));
        }
        roots = List.copyOf(dirs);
        rescan();
    }

    @Override
    public List<BaseModelInfo> models() {
        rescan();
        return List.copyOf(models.values());
    }

    @Override
    public Optional<BaseModelInfo> find(String id) {
        BaseModelInfo found = models.get(id);
        if (found == null) {
            rescan();
            found = models.get(id);
        }
        return Optional.ofNullable(found);
    }

    private synchronized void rescan() {
        Map<String, BaseModelInfo> found = new LinkedHashMap<>();
        for (Path root : roots) {
            if (ModelFolder.isModel(root)) {
                add(found, root.getFileName().toString(), root);
                continue;
            }
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                children.filter(ModelFolder::isModel).sorted(Comparator.naturalOrder())
                        .forEach(dir -> add(found, dir.getFileName().toString(), dir));
            } catch (IOException e) {
                LOG.warn("cannot list model folder {}: {}", root, e.getMessage());
            }
        }
        models = java.util.Collections.unmodifiableMap(found);
    }

    private static void add(Map<String, BaseModelInfo> found, String id, Path dir) {
        BaseModelInfo previous = found.get(id);
        if (previous != null) {
            LOG.warn("model {} in {} hidden by {}", id, dir, previous.directory());
            return;
        }
        try {
            found.put(id, ModelFolder.read(id, dir));
        } catch (IOException | RuntimeException e) {
            LOG.warn("model folder {} skipped: {}", dir, e.getMessage());
        }
    }
}
