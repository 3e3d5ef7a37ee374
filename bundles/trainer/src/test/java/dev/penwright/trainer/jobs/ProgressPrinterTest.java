package dev.penwright.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.trainer.loop.LoopConfig;

class ProgressPrinterTest {
    static JobProgress step(long step, long total, long eta) {
        return new JobProgress("job", JobState.RUNNING, "sft", step, total, 4.5, 1e-3, 77, eta, "");
    }

    @Test
    void aTimeBudgetedPhaseShowsNoTotalUntilItKnowsIt() {
        String line = ProgressPrinter.bar(step(1, LoopConfig.TIME_BUDGET_STEP_CAP, 6_955_010));
        assertTrue(line.contains(" 1/? "), line);
        assertTrue(line.endsWith("ETA ?"), line);
        assertTrue(ProgressPrinter.bar(step(20, 82, 384)).contains(" 20/82 "));
        assertTrue(ProgressPrinter.bar(step(20, 82, 384)).endsWith("ETA 6:24"));
    }

    @Test
    void aShorterLineIsDrawnOverTheLongerOneBeforeIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        printer.accept(step(5, 1000, 36_000));
        printer.accept(step(6, 82, 300));
        String[] redraws = bytes.toString(StandardCharsets.UTF_8).split("\r");
        assertEquals(3, redraws.length);
        assertEquals(redraws[1].length(), redraws[2].length(), "padded to the longer line's width");
        assertTrue(redraws[2].stripTrailing().endsWith("ETA 5:00"), redraws[2]);
    }
}
