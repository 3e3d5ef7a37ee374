package dev.penwright.trainer.jobs;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.penwright.trainer.loop.LoopConfig;

import dev.penwright.api.train.JobProgress;

/**
 * Shows progress: a bar redrawn in place ({@code \r}) for people, or one JSON object a line
 * ({@code step, loss, lr, tokensPerSecond, etaSeconds, phase, message}) for tools.
 */
public final class ProgressPrinter implements Consumer<JobProgress> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean json;
    private String phase = "";
    private boolean midLine;
    /** The length of the bar last drawn: a shorter one is padded over it, so no stale characters stay behind. */
    private int drawn;

    public ProgressPrinter(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    @Override
    public synchronized void accept(JobProgress p) {
        if (json) {
            out.println(toJson(p).toString());
            out.flush();
            return;
        }
        if (!p.phase().equals(phase) && midLine) {
            out.println();
            midLine = false;
        }
        phase = p.phase();
        if (!p.message().isEmpty()) {
            if (midLine) {
                out.println();
                midLine = false;
            }
            out.println("[" + p.phase() + "] " + p.message());
            out.flush();
            return;
        }
        String line = bar(p);
        out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
        out.flush();
        drawn = line.length();
        midLine = true;
    }

    /**
     * One line: phase, bar, step of total, loss, learning rate, speed, time left. A time-budgeted phase does not know
     * its step count until its first steps are timed (its total is then {@link LoopConfig#TIME_BUDGET_STEP_CAP}):
     * until then it shows "?" rather than a million steps and hundreds of hours.
     */
    public static String bar(JobProgress p) {
        boolean known = p.totalSteps() > 0 && p.totalSteps() < LoopConfig.TIME_BUDGET_STEP_CAP;
        double f = known ? Math.min(1.0, (double) p.step() / p.totalSteps()) : 0;
        int filled = (int) Math.round(f * WIDTH);
        return String.format(Locale.ROOT, "%-14s [%s%s] %d/%s loss %.4f lr %.2e %,.0f tok/s ETA %s", p.phase(),
                "#".repeat(filled), ".".repeat(WIDTH - filled), p.step(), known ? Long.toString(p.totalSteps()) : "?",
                p.loss(), p.learningRate(), p.tokensPerSecond(), known ? eta(p.etaSeconds()) : "?");
    }

    static String eta(long seconds) {
        if (seconds < 0) {
            return "?";
        }
        return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    public static ObjectNode toJson(JobProgress p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("job", p.jobId());
        n.put("state", p.state().name());
        n.put("phase", p.phase());
        n.put("step", p.step());
        n.put("totalSteps", p.totalSteps());
        if (Double.isFinite(p.loss())) {
            n.put("loss", p.loss());
        } else {
            n.putNull("loss");
        }
        n.put("lr", p.learningRate());
        n.put("tokensPerSecond", p.tokensPerSecond());
        n.put("etaSeconds", p.etaSeconds());
        if (!p.message().isEmpty()) {
            n.put("message", p.message());
        }
        return n;
    }

    /** Ends a bar line so what follows starts on its own line. */
    public synchronized void finish() {
        if (midLine) {
            out.println();
            midLine = false;
        }
    }
}
