package dev.penwright.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.penwright.api.generate.GenerationService;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.style.StylePackRegistry;

/** The trainer takes its default planner from the pipeline and its deploy folder from the style-pack registry. */
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
    void noPlannerNamedMeansThePipelinesDefault() {
        TrainerService trainer = new TrainerService();
        Planner llm = planner("llm");
        Planner extractive = planner(GenerationService.DEFAULT_PLANNER);
        trainer.addPlanner(llm);
        trainer.addPlanner(extractive);
        // No pipeline bound: the api's default.
        assertEquals(GenerationService.DEFAULT_PLANNER, trainer.defaultPlannerId());
        assertSame(extractive, trainer.planner(""));
        assertSame(extractive, trainer.planner(null));

        GenerationService pipeline = answering(GenerationService.class, "defaultPlannerId", "llm");
        trainer.setGeneration(pipeline);
        assertEquals("llm", trainer.defaultPlannerId());
        assertSame(llm, trainer.planner(""));
        assertSame(extractive, trainer.planner(GenerationService.DEFAULT_PLANNER));
        assertThrows(IllegalArgumentException.class, () -> trainer.planner("nope"));

        // A greedy replacement binds before the old one unbinds: the old one's unbind leaves the new one.
        GenerationService next = answering(GenerationService.class, "defaultPlannerId", GenerationService.DEFAULT_PLANNER);
        trainer.setGeneration(next);
        trainer.unsetGeneration(pipeline);
        assertSame(extractive, trainer.planner(""));
        trainer.unsetGeneration(next);
        trainer.setGeneration(pipeline);
        // The configured default planner not bound: any planner, as before.
        trainer.removePlanner(llm);
        assertSame(extractive, trainer.planner(""));
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
