package dev.penwright.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.penwright.trainer.cli.TrainBaseCommand;

/**
 * Throughput of base training at the d512-l8 shape, on the jargon corpus. Not part of the default suite: runs only
 * with PENWRIGHT_BENCH set (env) and the corpora present; prints the JSON progress lines and report.json.
 */
class BaseBench {
    @Test
    void d512l8() throws Exception {
        Assumptions.assumeTrue(System.getenv("PENWRIGHT_BENCH") != null, "set PENWRIGHT_BENCH to run");
        String corpora = System.getProperty("penwright.corpora");
        Assumptions.assumeTrue(corpora != null && Files.isDirectory(Path.of(corpora)), "no corpora");
        Path out = Path.of(System.getenv().getOrDefault("PENWRIGHT_BENCH_OUT", "target/bench-d512-l8"));
        String steps = System.getenv().getOrDefault("PENWRIGHT_BENCH_STEPS", "12");
        CommandsTest.Result r = CommandsTest.run(new TrainBaseCommand(CommandsTest.trainer()), "--corpus",
                Path.of(corpora, "jargon.jsonl").toString(), "--shape", "d512-l8", "--vocab", "8000", "--seq-len", "256",
                "--max-texts", "4000", "--tokenizer-texts", "2000", "--steps", steps, "--batch-tokens", "4096",
                "--batch-rows", System.getenv().getOrDefault("PENWRIGHT_BENCH_ROWS", "64"), "--eval-every", "0", "--checkpoint-every", "0", "--out", out.toString(), "--json");
        System.out.println(r.out());
        System.out.println(r.err());
        System.out.println(Files.readString(out.resolve("report.json")));
        assertEquals(0, r.status());
    }
}
