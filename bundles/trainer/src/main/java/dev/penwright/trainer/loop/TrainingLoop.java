package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.engine.training.TrainingAccess;

/**
 * The optimisation loop: AdamW, warm-up + cosine, gradient accumulation and global-norm clipping, length-bucketed
 * batches, validation and early stopping, and checkpoints that let {@code resume} continue a killed run to the
 * same weights an uninterrupted run reaches.
 *
 * <p>Gradients: DJL's PyTorch gradient collector does not zero gradients and only one may be open in a JVM. The
 * loop opens one for each micro-batch (forward + backward) and closes it before anything else runs, so inference
 * elsewhere in the JVM is never recorded; gradients of the micro-batches of one step add up in the parameters
 * (that is the accumulation) and the loop zeroes them itself after the update.
 *
 * <p>A checkpoint ({@link Checkpoints}) holds the trainable tensors, the AdamW moments and a state.json with the
 * step, the data position (epoch, batch index), the RNG state, the planned step count and the history.
 */
public final class TrainingLoop {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEEP_CHECKPOINTS = 2;
    private static final String BEST = "best";

    private final TrainTask task;
    private final LoopConfig config;
    private final Batches train;
    /** The validation batches a pass scores: all of them, or an even subset when a pass would cost too much. */
    private List<Batch> validation;
    private long validationTokens;
    private final int validationAll;
    private final Checkpoints checkpoints;
    private final String jobId;
    private final String phase;
    private final Consumer<JobProgress> progress;
    private final BooleanSupplier cancelled;
    /** The best step the newest checkpoint on disk names (its best-N folder must survive until a newer one). */
    private int savedBest = -1;

    public TrainingLoop(TrainTask task, LoopConfig config, List<Example> trainExamples, List<Example> valExamples,
                        long padId, Path checkpoints, String jobId, String phase, Consumer<JobProgress> progress,
                        BooleanSupplier cancelled) {
        this.task = task;
        this.config = config;
        this.train = new Batches(trainExamples, config.maxBatchTokens(), config.maxBatchRows(), config.seed(), padId);
        this.validation = valExamples.isEmpty() ? List.of()
                : new Batches(valExamples, config.maxBatchTokens(), config.maxBatchRows(), config.seed(), padId).all();
        this.validationTokens = validation.stream().mapToLong(Batch::tokens).sum();
        this.validationAll = validation.size();
        this.checkpoints = new Checkpoints(checkpoints, KEEP_CHECKPOINTS);
        this.jobId = jobId;
        this.phase = phase;
        this.progress = progress == null ? p -> { } : progress;
        this.cancelled = cancelled == null ? () -> false : cancelled;
    }

    /** Mutable position of the run; exactly what a checkpoint restores. */
    private static final class State {
        int step;
        int epoch;
        int cursor;
        long rng;
        int totalSteps;
        long tokens;
        double bestVal = Double.NaN;
        /** The step whose weights are in {@code checkpoints/best/} (-1: none saved). */
        int bestStep = -1;
        int evalsWithoutGain;
        /** The step whose weights the run ended with (the best validated one); -1 while running. */
        int keptStep = -1;
        /** Validation batches a pass scores (0: all). */
        int validationBatches;
        History history = new History();
    }

    /**
     * The most of a time-budgeted phase its validation passes may take. A pass over 64 validation texts took 150 s
     * on a loaded 2-core machine, where a whole S-SFT share was 100 s: the phase overran by its final pass. The loss
     * of an even subset of the validation batches tells whether it still falls.
     */
    static final double VALIDATION_SHARE = 0.1;

    /** Steps between refits of a time-budgeted phase's step count to its pace. */
    static final int REFIT_EVERY = 10;

    /** Runs to the end (or resumes from the latest checkpoint when {@code resume} and one exists). */
    public TrainingResult run(boolean resume) throws IOException {
        Map<String, NDArray> params = task.parameters();
        Map<String, Boolean> decay = new LinkedHashMap<>();
        params.forEach((k, p) -> decay.put(k, task.decays(k, p)));
        NDManager manager = task.manager();
        AdamW adam = AdamW.defaults(config.weightDecay());
        Optimiser optimiser = new Optimiser(adam, decay, config.clipNorm(), manager);
        State s = new State();
        s.rng = config.seed() ^ 0x5DEECE66DL;
        s.totalSteps = config.maxSteps() > 0 ? config.maxSteps() : LoopConfig.TIME_BUDGET_STEP_CAP;
        if (resume) {
            Path latest = checkpoints.latest();
            if (latest != null) {
                restore(latest, params, adam, s, manager);
            }
        }
        params.values().forEach(p -> p.setRequiresGradient(true));
        boolean estimateSteps = config.maxSteps() == 0 && s.step == 0;
        long started = System.nanoTime();
        long runTokens = 0;
        int startStep = s.step;
        String reason = "steps";
        // The pace of the training steps since the last refit: seconds (validation excluded) and steps at it.
        double paceSeconds = 0;
        int paceDone = 0;
        double validationSpent = 0;
        Rng rng = new Rng(s.rng);
        while (s.step < s.totalSteps) {
            if (cancelled.getAsBoolean()) {
                reason = "cancelled";
                break;
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            if (config.minutes() > 0 && elapsed > config.minutes() * 60) {
                reason = "time";
                break;
            }
            Schedule schedule = new Schedule(config.learningRate(), Math.min(config.warmupSteps(), s.totalSteps / 5),
                    s.totalSteps, config.minLrRatio());
            double lr = schedule.at(s.step);
            // The micro-batches of this step, and the tokens they score, to normalise the summed loss.
            List<Batch> micro = new ArrayList<>();
            for (int i = 0; i < config.accumulation(); i++) {
                if (s.cursor >= train.perEpoch()) {
                    s.epoch++;
                    s.cursor = 0;
                }
                micro.add(train.get(s.epoch, s.cursor++));
            }
            int targets = micro.stream().mapToInt(Batch::targetTokens).sum();
            double loss = 0;
            for (Batch b : micro) {
                try (NDScope scope = new NDScope();
                     GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    loss += task.backward(b, rng, Math.max(1, targets), gc);
                }
                runTokens += b.tokens();
                s.tokens += b.tokens();
            }
            optimiser.step(params, lr);
            task.updated();
            s.step++;
            s.rng = rng.state();
            double seconds = (System.nanoTime() - started) / 1e9;
            double tps = runTokens / Math.max(1e-9, seconds);
            int done = s.step - startStep;
            if (estimateSteps && done == 3) {
                paceSeconds = seconds;
                paceDone = done;
                s.totalSteps = fitSteps(s.step, seconds, seconds / 3, (double) runTokens / done);
                int batches = validationBatchesFor(s.totalSteps, seconds / 3, (double) runTokens / done);
                if (batches < validation.size()) {
                    useValidationBatches(batches);
                    s.validationBatches = batches;
                    s.totalSteps = fitSteps(s.step, seconds, seconds / 3, (double) runTokens / done);
                }
            } else if (estimateSteps && done > 3 && done % (done < 3 * REFIT_EVERY ? REFIT_EVERY / 2 : REFIT_EVERY) == 0
                    && s.step < s.totalSteps * 0.9) {
                // Refit every few steps, from the pace of the steps since the last refit (validation passes left
                // out: fitSteps counts those apart). The first steps run before the JIT and the allocator settle,
                // and a shared machine gets busier or quieter mid-phase: a fit made once early ended an eight-minute
                // run's S-SFT at 63 s of a planned 237 s with its validation loss still falling, and on a busy
                // machine planned steps it could not take. A change under 5 % is left alone (the cosine schedule
                // should not jitter); none in the last tenth (the schedule is ending).
                double perStep = ((seconds - validationSpent) - paceSeconds) / Math.max(1, done - paceDone);
                paceSeconds = seconds - validationSpent;
                paceDone = done;
                int fitted = fitSteps(s.step, seconds, perStep, (double) runTokens / done);
                if (Math.abs(fitted - s.totalSteps) > 0.05 * s.totalSteps) {
                    s.totalSteps = fitted;
                }
            }
            s.history.steps.add(new History.StepPoint(s.step, loss, lr, tps));
            long eta = Math.round((s.totalSteps - s.step) * seconds / Math.max(1, s.step - startStep));
            report(s, loss, lr, tps, eta, "");
            if (config.evalEvery() > 0 && !validation.isEmpty() && s.step % config.evalEvery() == 0) {
                long validating = System.nanoTime();
                double val = validate();
                validationSpent += (System.nanoTime() - validating) / 1e9;
                s.history.evals.add(new History.EvalPoint(s.step, val));
                if (Double.isNaN(s.bestVal) || val < s.bestVal - 1e-4) {
                    s.bestVal = val;
                    s.evalsWithoutGain = 0;
                    saveBest(s, params);
                } else {
                    s.evalsWithoutGain++;
                }
                report(s, loss, lr, tps, eta, String.format("validation loss %.4f", val));
                if (config.patience() > 0 && s.evalsWithoutGain >= config.patience()) {
                    reason = "early-stop";
                    if (config.checkpointEvery() > 0 && s.step % config.checkpointEvery() == 0) {
                        save(s, params, adam);
                    }
                    break;
                }
            }
            if (config.checkpointEvery() > 0 && s.step % config.checkpointEvery() == 0) {
                save(s, params, adam);
            }
        }
        int done = s.step - startStep;
        if (estimateSteps && s.validationBatches == 0 && done > 0 && done <= 3) {
            // A phase whose time ran out before its step count was fitted (a few slow steps): its one validation
            // pass too is bounded by the phase's time, at the pace of those steps.
            double seconds = (System.nanoTime() - started) / 1e9;
            int batches = validationBatchesFor(s.step, seconds / done, (double) runTokens / done);
            if (batches < validation.size()) {
                useValidationBatches(batches);
                s.validationBatches = batches;
            }
        }
        if (!validation.isEmpty() && (s.history.evals.isEmpty()
                || s.history.evals.get(s.history.evals.size() - 1).step() != s.step)) {
            double val = validate();
            s.history.evals.add(new History.EvalPoint(s.step, val));
            if (Double.isNaN(s.bestVal) || val < s.bestVal) {
                s.bestVal = val;
                saveBest(s, params);
            }
        }
        params.values().forEach(p -> p.setRequiresGradient(false));
        // The run's result is the best validated weights, not the last: after the validation loss turned up (early
        // stop, or a schedule that ran past the optimum) the last weights are worse than ones the run already had.
        int kept = s.step;
        if (s.bestStep >= 0 && s.bestStep != s.step) {
            Checkpoints.copyInto(params, best(s.bestStep).resolve("trainable.safetensors"), manager);
            task.updated();
            kept = s.bestStep;
        }
        s.keptStep = kept;
        save(s, params, adam);
        double seconds = (System.nanoTime() - started) / 1e9;
        List<History.StepPoint> h = s.history.steps;
        return new TrainingResult(s.step, reason, meanLoss(h, true), meanLoss(h, false), s.bestVal, kept,
                runTokens / Math.max(1e-9, seconds), s.tokens, seconds, s.history);
    }

    /**
     * Keeps the weights of a new best validation loss in {@code checkpoints/best-N/} (written to a temporary folder and
     * renamed, like a checkpoint), so the end of the run, or of a resumed run, can return to them. The best folder the
     * latest checkpoint names stays until a newer checkpoint names another: a run resumed from that checkpoint may
     * end (on time) before it reaches the newer best again.
     */
    private void saveBest(State s, Map<String, NDArray> params) throws IOException {
        Checkpoints.writeAtomically(best(s.step), tmp -> TrainingAccess.writeTensors(
                tmp.resolve("trainable.safetensors"), params, Map.of("format", "pt", "step", Integer.toString(s.step))));
        s.bestStep = s.step;
        pruneBest(s.bestStep, savedBest);
    }

    private Path best(int step) {
        return checkpoints.dir().resolve(String.format(BEST + "-%08d", step));
    }

    /** Deletes the best-N folders other than those of the given steps. */
    private void pruneBest(int keep, int alsoKeep) throws IOException {
        List<Path> all;
        try (Stream<Path> list = Files.list(checkpoints.dir())) {
            all = list.filter(p -> p.getFileName().toString().matches(BEST + "-\\d{8}")).toList();
        }
        for (Path p : all) {
            int step = Integer.parseInt(p.getFileName().toString().substring(BEST.length() + 1));
            if (step != keep && step != alsoKeep) {
                Checkpoints.deleteTree(p);
            }
        }
    }

    /**
     * Steps that fill the time budget: those done plus what the remaining time holds at {@code perStep}, after the
     * validations still to come (every {@code evalEvery} steps and the final one). A validation pass costs about a
     * third of a training pass per token (forward only), so its time is estimated from the training pace; without
     * it a run on a slow CPU overran its budget by its final validation.
     */
    /**
     * Validation batches that keep the phase's validation passes (one every {@code evalEvery} steps of
     * {@code totalSteps}, and the final one) within {@link #VALIDATION_SHARE} of its time, at least one.
     */
    private int validationBatchesFor(int totalSteps, double perStep, double tokensPerStep) {
        if (validation.isEmpty() || config.minutes() <= 0) {
            return validation.size();
        }
        int passes = 1 + (config.evalEvery() > 0 ? totalSteps / config.evalEvery() : 0);
        double passSeconds = validationTokens * perStep / Math.max(1, tokensPerStep) / 3;
        double allowed = VALIDATION_SHARE * config.minutes() * 60;
        if (passes * passSeconds <= allowed) {
            return validation.size();
        }
        return Math.max(1, (int) Math.floor(validation.size() * allowed / (passes * passSeconds)));
    }

    /** Scores {@code n} of the validation batches from now on, spread evenly over them (the same ones each time). */
    private void useValidationBatches(int n) {
        List<Batch> all = validationAll == validation.size() ? validation : null;
        if (all == null || n >= all.size()) {
            return;
        }
        List<Batch> subset = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subset.add(all.get((int) ((long) i * all.size() / n)));
        }
        validation = List.copyOf(subset);
        validationTokens = validation.stream().mapToLong(Batch::tokens).sum();
    }

    private int fitSteps(int step, double elapsed, double perStep, double tokensPerStep) {
        double validationSeconds = validationTokens * perStep / Math.max(1, tokensPerStep) / 3;
        double remaining = Math.max(0, config.minutes() * 60 - elapsed - validationSeconds);
        double cost = perStep + (config.evalEvery() > 0 ? validationSeconds / config.evalEvery() : 0);
        return (int) Math.max(step + 1, Math.min(LoopConfig.TIME_BUDGET_STEP_CAP,
                step + Math.floor(remaining / Math.max(1e-9, cost) + 0.5)));
    }

    private static double meanLoss(List<History.StepPoint> h, boolean first) {
        if (h.isEmpty()) {
            return Double.NaN;
        }
        int n = Math.max(1, Math.min(10, h.size() / 5));
        List<History.StepPoint> part = first ? h.subList(0, n) : h.subList(h.size() - n, h.size());
        return part.stream().mapToDouble(History.StepPoint::loss).average().orElse(Double.NaN);
    }

    /** Mean validation loss per target token, without dropout and without recording gradients. */
    public double validate() {
        double sum = 0;
        long targets = 0;
        for (Batch b : validation) {
            try (NDScope scope = new NDScope()) {
                sum += task.lossSum(b, null).getFloat();
                targets += b.targetTokens();
            }
        }
        return sum / Math.max(1, targets);
    }

    private void report(State s, double loss, double lr, double tps, long eta, String message) {
        progress.accept(new JobProgress(jobId, JobState.RUNNING, phase, s.step, s.totalSteps, loss, lr, tps, eta,
                message));
    }

    // ---- checkpoints ----

    private void save(State s, Map<String, NDArray> params, AdamW adam) throws IOException {
        ObjectNode st = JSON.createObjectNode();
        st.put("phase", phase);
        st.put("step", s.step);
        st.put("epoch", s.epoch);
        st.put("cursor", s.cursor);
        st.put("rng", s.rng);
        st.put("totalSteps", s.totalSteps);
        st.put("tokens", s.tokens);
        st.put("adamSteps", adam.stepCount());
        if (!Double.isNaN(s.bestVal)) {
            st.put("bestVal", s.bestVal);
        }
        st.put("evalsWithoutGain", s.evalsWithoutGain);
        st.put("bestStep", s.bestStep);
        st.put("keptStep", s.keptStep);
        st.put("validationBatches", s.validationBatches);
        st.put("seed", config.seed());
        st.put("batchesPerEpoch", train.perEpoch());
        st.set("history", Checkpoints.steps(s.history));
        ArrayNode evals = st.putArray("evals");
        for (History.EvalPoint p : s.history.evals) {
            evals.addArray().add(p.step()).add(p.loss());
        }
        checkpoints.save(s.step, params, adam, st);
        savedBest = s.bestStep;
        if (s.bestStep >= 0) {
            pruneBest(s.bestStep, s.bestStep);
        }
    }

    private void restore(Path dir, Map<String, NDArray> params, AdamW adam, State s, NDManager manager)
            throws IOException {
        JsonNode st = checkpoints.state(dir);
        if (st.path("seed").asLong() != config.seed() || st.path("batchesPerEpoch").asInt() != train.perEpoch()
                || !st.path("phase").asText().equals(phase)) {
            throw new IOException(dir + " was made by a different run (phase " + st.path("phase").asText()
                    + ", seed " + st.path("seed").asLong() + ", " + st.path("batchesPerEpoch").asInt()
                    + " batches an epoch; this run: " + phase + ", " + config.seed() + ", " + train.perEpoch()
                    + "): resume needs the same data and settings");
        }
        checkpoints.restore(dir, st, params, adam, manager);
        s.step = st.path("step").asInt();
        s.epoch = st.path("epoch").asInt();
        s.cursor = st.path("cursor").asInt();
        s.rng = st.path("rng").asLong();
        s.totalSteps = st.path("totalSteps").asInt();
        s.tokens = st.path("tokens").asLong();
        s.bestVal = st.has("bestVal") ? st.get("bestVal").asDouble() : Double.NaN;
        s.evalsWithoutGain = st.path("evalsWithoutGain").asInt();
        s.bestStep = st.path("bestStep").asInt(-1);
        s.keptStep = st.path("keptStep").asInt(-1);
        s.validationBatches = st.path("validationBatches").asInt(0);
        if (s.validationBatches > 0) {
            useValidationBatches(s.validationBatches);
        }
        savedBest = s.bestStep;
        if (s.bestStep >= 0 && !Files.isRegularFile(best(s.bestStep).resolve("trainable.safetensors"))) {
            throw new IOException(dir + " names best step " + s.bestStep + " but " + best(s.bestStep)
                    + " holds no weights");
        }
        Checkpoints.readSteps(st.path("history"), s.history);
        for (JsonNode p : st.path("evals")) {
            s.history.evals.add(new History.EvalPoint(p.get(0).asInt(), p.get(1).asDouble()));
        }
        task.updated();
    }
}
