package dev.penwright.trainer.dpo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;

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
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.training.TrainingAccess;
import dev.penwright.trainer.loop.AdamW;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Checkpoints;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.Losses;
import dev.penwright.trainer.loop.LoraTask;
import dev.penwright.trainer.loop.Optimiser;
import dev.penwright.trainer.loop.Scalars;
import dev.penwright.trainer.loop.Schedule;

/**
 * Direct preference optimisation with the sigmoid loss (Rafailov et al.): for each pair,
 * {@code −log σ(β·[(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))])}, where log π sums the response tokens'
 * log-probabilities. The reference is the frozen S-SFT adapter; its log-probabilities are computed once, before
 * the first step, and the reference adapter is not touched again.
 */
public final class Dpo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LanguageModel model;
    private final LoraAdapter policy;
    private final double beta;
    private final NDManager manager;
    private final long graphBudget;

    public Dpo(LanguageModel model, LoraAdapter policy, double beta, NDManager manager) {
        this(model, policy, beta, manager, LoraTask.DEFAULT_GRAPH_BUDGET);
    }

    /** {@code graphBudget}: a pair whose plain step would keep more graph (bytes) is recomputed layer by layer. */
    public Dpo(LanguageModel model, LoraAdapter policy, double beta, NDManager manager, long graphBudget) {
        this.model = model;
        this.policy = policy;
        this.beta = beta;
        this.manager = manager;
        this.graphBudget = graphBudget;
    }

    /** Reference log-probabilities [chosen, rejected] of each pair under {@code reference}. */
    public double[][] referenceLogProbs(List<DpoPair> pairs, LoraAdapter reference) {
        double[][] out = new double[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            try (NDScope scope = new NDScope()) {
                float[] lp = sequenceLogProbs(pairs.get(i), reference).toFloatArray();
                out[i] = new double[] {lp[0], lp[1]};
            }
        }
        return out;
    }

    /** Mean chosen-over-rejected margin of the policy against the reference: (π(c) − ref(c)) − (π(r) − ref(r)). */
    public double meanMargin(List<DpoPair> pairs, double[][] ref) {
        double sum = 0;
        for (int i = 0; i < pairs.size(); i++) {
            try (NDScope scope = new NDScope()) {
                float[] lp = sequenceLogProbs(pairs.get(i), policy).toFloatArray();
                sum += (lp[0] - ref[i][0]) - (lp[1] - ref[i][1]);
            }
        }
        return sum / Math.max(1, pairs.size());
    }

    /** Σ log p(response) of [chosen, rejected], a [2] array in the caller's scope. */
    private NDArray sequenceLogProbs(DpoPair p, LoraAdapter adapter) {
        Batch b = Batch.of(List.of(example(p.id() + ":c", p.prompt(), p.chosen()),
                example(p.id() + ":r", p.prompt(), p.rejected())), 0);
        adapter.invalidate();
        if (TrainingAccess.plainStepBytes(model, 2, b.inputs()[0].length) > graphBudget) {
            double[] lp = TrainingAccess.recomputedBackward(model, b.inputs(), b.targets(), b.mask(), adapter, 0, null,
                    null);
            return manager.create(new float[] {(float) lp[0], (float) lp[1]});
        }
        NDArray logits = model.logits(b.inputs(), adapter);
        return Losses.tokenLogProbs(logits, b.targets(), manager).mul(Losses.mask(b.mask(), manager)).sum(new int[] {1});
    }

    /**
     * Adds the gradients of one pair's share of a step's DPO loss ({@code −log σ(z) / n}, z the scaled margin over
     * {@code ref}) to the policy's A and B, which must require gradients; returns that share.
     */
    public double accumulate(DpoPair p, double[] ref, int n) {
        if (recomputes(p)) {
            return recomputedStep(p, ref, n);
        }
        try (NDScope scope = new NDScope();
             GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray lp = sequenceLogProbs(p, policy);
            float refMargin = (float) (ref[0] - ref[1]);
            // Scalars the backward reads are torch-owned 0-d arrays (see Scalars).
            NDArray z = lp.get(0).sub(lp.get(1)).sub(refMargin).mul(Scalars.of(manager, beta));
            // −log σ(z) = softplus(−z) = max(−z, 0) + log(1 + e^{−|z|})
            NDArray nz = z.neg();
            NDArray l = nz.maximum(Scalars.of(manager, 0)).add(nz.abs().neg().exp().add(1f).log())
                    .div(Scalars.of(manager, n));
            gc.backward(l);
            return l.getFloat();
        }
    }

    /** Whether a pair's plain step would keep more graph than style training allows (a large base model). */
    private boolean recomputes(DpoPair p) {
        int t = p.prompt().length + Math.max(p.chosen().length, p.rejected().length) - 1;
        return TrainingAccess.plainStepBytes(model, 2, t) > graphBudget;
    }

    /**
     * One pair's step with activation recomputation: its log-probabilities first, without a graph, then the
     * gradient of the DPO loss, which is the gradient of c·π(chosen) + d·π(rejected) with c = −β·σ(−z)/n and
     * d = −c (z the scaled margin), taken as a weighted log-likelihood through the recomputed pass. Returns the
     * pair's share of the step's loss.
     */
    private double recomputedStep(DpoPair p, double[] ref, int n) {
        Batch b = Batch.of(List.of(example(p.id() + ":c", p.prompt(), p.chosen()),
                example(p.id() + ":r", p.prompt(), p.rejected())), 0);
        double[] lp = TrainingAccess.recomputedBackward(model, b.inputs(), b.targets(), b.mask(), policy, 0, null, null);
        double z = beta * ((lp[0] - lp[1]) - (ref[0] - ref[1]));
        double c = -beta / (1 + Math.exp(z)) / n;
        float[][] w = new float[2][];
        w[0] = Losses.scaled(b.mask()[0], c);
        w[1] = Losses.scaled(b.mask()[1], -c);
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            TrainingAccess.recomputedBackward(model, b.inputs(), b.targets(), w, policy, 0, null, gc);
        }
        // −log σ(z) = softplus(−z), computed stably.
        return (Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / n;
    }

    private static Example example(String id, long[] prompt, long[] response) {
        long[] all = new long[prompt.length + response.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(response, 0, all, prompt.length, response.length);
        return new Example(id, all, prompt.length);
    }

    /**
     * Trains the policy adapter for {@code steps} optimiser steps of {@code pairsPerStep} pairs (AdamW, warm-up +
     * cosine, global-norm clip 1.0), with no checkpoints. Pairs are taken in order, round robin.
     */
    public History train(List<DpoPair> pairs, double[][] ref, int steps, int pairsPerStep, double lr,
                         String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled) {
        try {
            return train(pairs, ref, new Settings(steps, pairsPerStep, lr, 0, 0), null, false, jobId, progress,
                    cancelled).history();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Steps between refits of a time-budgeted phase's step count to its pace. */
    static final int REFIT_EVERY = 10;

    /**
     * How a DPO phase runs.
     *
     * @param steps           optimiser steps (the most; a time budget may fit fewer)
     * @param pairsPerStep    pairs a step
     * @param learningRate    peak learning rate
     * @param seconds         wall-clock budget (0: none): the step count is fitted to it after two steps
     * @param checkpointEvery checkpoint every N steps (0: only at the end); needs a checkpoint folder
     */
    public record Settings(int steps, int pairsPerStep, double learningRate, double seconds, int checkpointEvery) {
    }

    /** How the phase ended: its losses, the steps done and why it stopped (steps, time, cancelled). */
    public record Outcome(History history, int steps, String stopReason) {
    }

    /**
     * Trains with checkpoints in {@code checkpoints} (null: none) every {@code checkpointEvery} steps and at the end:
     * the policy's A and B, the AdamW moments and a state.json (step, planned steps, losses). The pair order is a
     * function of the step, so with {@code resume} a killed phase continues from its latest checkpoint to the same
     * weights an uninterrupted one reaches. The pairs and reference log-probabilities are saved beside the
     * checkpoints by {@link #savePairs} and are not recomputed.
     */
    public Outcome train(List<DpoPair> pairs, double[][] ref, Settings settings, Path checkpoints, boolean resume,
                         String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled) throws IOException {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("DPO needs at least one pair");
        }
        Map<String, NDArray> params = policy.tensors();
        Map<String, Boolean> decay = new LinkedHashMap<>();
        params.keySet().forEach(k -> decay.put(k, false));
        AdamW adam = AdamW.defaults(0);
        Optimiser optimiser = new Optimiser(adam, decay, 1.0, manager);
        Checkpoints store = checkpoints == null ? null : new Checkpoints(checkpoints, 1);
        History history = new History();
        int perStep = Math.min(settings.pairsPerStep(), pairs.size());
        int step = 0;
        int total = settings.steps();
        if (resume && store != null) {
            Path latest = store.latest();
            if (latest != null) {
                JsonNode st = store.state(latest);
                if (st.path("pairs").asInt() != pairs.size() || st.path("pairsPerStep").asInt() != perStep) {
                    throw new IOException(latest + " was made with " + st.path("pairs").asInt() + " pairs, "
                            + st.path("pairsPerStep").asInt() + " a step; this run has " + pairs.size() + ", " + perStep);
                }
                store.restore(latest, st, params, adam, manager);
                step = st.path("step").asInt();
                total = st.path("totalSteps").asInt();
                Checkpoints.readSteps(st.path("history"), history);
                policy.invalidate();
            }
        }
        boolean fit = settings.seconds() > 0 && step == 0;
        params.values().forEach(p -> p.setRequiresGradient(true));
        long started = System.nanoTime();
        long tokens = 0;
        int startStep = step;
        String reason = "steps";
        double fitSeconds = 0;
        int fitStep = startStep;
        try {
            while (step < total) {
                if (cancelled != null && cancelled.getAsBoolean()) {
                    reason = "cancelled";
                    break;
                }
                if (settings.seconds() > 0 && (System.nanoTime() - started) / 1e9 > settings.seconds()) {
                    reason = "time";
                    break;
                }
                // The warm-up and cosine follow the planned total, which a time budget fixes after two steps.
                Schedule schedule = new Schedule(settings.learningRate(), Math.min(5, total / 5), total, 0.1);
                double loss = 0;
                List<Integer> chosen = new ArrayList<>();
                for (int j = 0; j < perStep; j++) {
                    chosen.add((int) (((long) step * perStep + j) % pairs.size()));
                }
                for (int i : chosen) {
                    DpoPair p = pairs.get(i);
                    loss += accumulate(p, ref[i], chosen.size());
                    tokens += p.prompt().length * 2L + p.chosen().length + p.rejected().length;
                }
                double rate = schedule.at(step);
                optimiser.step(params, rate);
                policy.invalidate();
                step++;
                double seconds = (System.nanoTime() - started) / 1e9;
                double tps = tokens / Math.max(1e-9, seconds);
                if (fit && (step - startStep == 2 || (step - startStep) % REFIT_EVERY == 0 && step < total)) {
                    // Refitted every few steps from the pace since the last fit, as the training loop does: a shared
                    // machine gets busier or quieter, and a fit made once ends the phase early or cuts its schedule.
                    double perStepSeconds = (seconds - fitSeconds) / Math.max(1, step - fitStep);
                    fitSeconds = seconds;
                    fitStep = step;
                    total = (int) Math.max(step + 1, Math.min(settings.steps(),
                            // Rounded, not floored: a step takes over a minute on a loaded machine, and flooring
                            // ended the phase most of a step early every time.
                            step + Math.floor(Math.max(0, settings.seconds() - seconds) / perStepSeconds + 0.5)));
                }
                history.steps.add(new History.StepPoint(step, loss, rate, tps));
                if (progress != null) {
                    long eta = Math.round((total - step) * seconds / Math.max(1, step - startStep));
                    progress.accept(new JobProgress(jobId, JobState.RUNNING, "dpo", step, total, loss, rate, tps,
                            eta, ""));
                }
                if (store != null && settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0) {
                    save(store, step, total, pairs.size(), perStep, params, adam, history);
                }
            }
            if (store != null) {
                save(store, step, total, pairs.size(), perStep, params, adam, history);
            }
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        return new Outcome(history, step, reason);
    }

    private static void save(Checkpoints store, int step, int total, int pairs, int perStep,
                             Map<String, NDArray> params, AdamW adam, History history) throws IOException {
        ObjectNode st = JSON.createObjectNode();
        st.put("phase", "dpo");
        st.put("step", step);
        st.put("totalSteps", total);
        st.put("pairs", pairs);
        st.put("pairsPerStep", perStep);
        st.put("adamSteps", adam.stepCount());
        st.set("history", Checkpoints.steps(history));
        store.save(step, params, adam, st);
    }

    /** The pairs and their reference log-probabilities, computed once; written before the first DPO step. */
    public record Prepared(List<DpoPair> pairs, double[][] reference) {
    }

    /** Writes {@code pairs.json}: every pair's token ids, source and reference log-probabilities. */
    public static void savePairs(Path file, Prepared prepared) throws IOException {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < prepared.pairs().size(); i++) {
            DpoPair p = prepared.pairs().get(i);
            ObjectNode n = a.addObject();
            n.put("id", p.id());
            n.put("source", p.source());
            ids(n.putArray("prompt"), p.prompt());
            ids(n.putArray("chosen"), p.chosen());
            ids(n.putArray("rejected"), p.rejected());
            n.put("refChosen", prepared.reference()[i][0]);
            n.put("refRejected", prepared.reference()[i][1]);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), a);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads what {@link #savePairs} wrote, or null when the file does not exist. */
    public static Prepared loadPairs(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode a = JSON.readTree(file.toFile());
        List<DpoPair> pairs = new ArrayList<>();
        double[][] ref = new double[a.size()][];
        int i = 0;
        for (JsonNode n : a) {
            pairs.add(new DpoPair(n.get("id").asText(), ids(n.get("prompt")), ids(n.get("chosen")),
                    ids(n.get("rejected")), n.path("source").asText()));
            ref[i++] = new double[] {n.get("refChosen").asDouble(), n.get("refRejected").asDouble()};
        }
        return new Prepared(pairs, ref);
    }

    private static void ids(ArrayNode a, long[] ids) {
        for (long id : ids) {
            a.add(id);
        }
    }

    private static long[] ids(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    /** Removes the checkpoints (and saved pairs) of an earlier DPO phase. */
    public static void deleteCheckpoints(Path checkpoints) throws IOException {
        Checkpoints.deleteTree(checkpoints);
    }
}
