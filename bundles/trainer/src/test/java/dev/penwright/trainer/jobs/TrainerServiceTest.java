package dev.penwright.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePackRegistry;

/** The trainer takes its deploy folder from the style-pack registry. */
class TrainerServiceTest {
    private static Planner planner(String id) {
        return new Planner() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public ContentPlan plan(Material material) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** A service whose one answered method is {@code method}, returning {@code value}. */
    private static <T> T answering(Class<T> type, String method, Object value) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, m, args) -> {
            if (m.getName().equals(method)) {
                return value;
            }
            throw new UnsupportedOperationException(m.getName());
        }));
    }

    @Test
    void theDeployFolderIsTheRegistrys() {
        TrainerService trainer = new TrainerService();
        assertNull(trainer.deployDir());
        StylePackRegistry none = answering(StylePackRegistry.class, "deployFolder", Optional.empty());
        trainer.setStyles(none);
        assertNull(trainer.deployDir());
        Path deploy = Path.of("deploy").toAbsolutePath();
        StylePackRegistry registry = answering(StylePackRegistry.class, "deployFolder", Optional.of(deploy));
        trainer.setStyles(registry);
        trainer.unsetStyles(none);
        assertEquals(deploy, trainer.deployDir());
        trainer.unsetStyles(registry);
        assertNull(trainer.deployDir());
    }
}
