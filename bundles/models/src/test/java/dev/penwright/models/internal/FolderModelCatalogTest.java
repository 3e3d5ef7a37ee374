package dev.penwright.models.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.penwright.api.model.BaseModelInfo;

/** A model copied into a configured folder is listed at once, in folder-name order, and one removed is unlisted. */
class FolderModelCatalogTest {
    @TempDir
    Path root;

    @Test
    void listingRescansTheFolders() throws Exception {
        FolderModelCatalog catalog = new FolderModelCatalog();
        catalog.configure(null, dirs(root.toString()));
        assertTrue(catalog.models().isEmpty());

        model("zeta");
        model("alpha");
        assertEquals(List.of("alpha", "zeta"), ids(catalog.models()));

        Files.delete(root.resolve("zeta/config.json"));
        assertEquals(List.of("alpha"), ids(catalog.models()));
        assertTrue(catalog.find("alpha").isPresent());
        assertTrue(catalog.find("zeta").isEmpty());
    }

    private void model(String id) throws Exception {
        Path dir = Files.createDirectories(root.resolve(id));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"vocab_size\": 16,"
                + " \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2}");
    }

    private static List<String> ids(List<BaseModelInfo> models) {
        return models.stream().map(BaseModelInfo::id).toList();
    }

    private static FolderModelCatalog.Config dirs(String... dirs) {
        return new FolderModelCatalog.Config() {
            @Override
            public String[] dirs() {
                return dirs;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return FolderModelCatalog.Config.class;
            }
        };
    }
}
