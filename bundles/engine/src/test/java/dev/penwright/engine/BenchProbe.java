package dev.penwright.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.penwright.engine.cli.EngineBench;

/** Runs the full benchmark only when asked (-Dpenwright.bench=true): it takes a minute. */
class BenchProbe {
    @Test
    void bench() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("penwright.bench"));
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(new EngineBench(128, 256, 16).run(null)));
    }
}
