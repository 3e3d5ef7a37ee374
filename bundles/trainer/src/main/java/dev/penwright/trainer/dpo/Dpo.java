package dev.penwright.trainer.dpo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.penwright.api.train.JobProgress;
import dev.penwright.api.train.JobState;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.trainer.loop.AdamW;
import dev.penwright.trainer.loop.Batch;
import dev.penwright.trainer.loop.Example;
import dev.penwright.trainer.loop.History;
import dev.penwright.trainer.loop.Losses;
import dev.penwright.trainer.loop.Scalars;
import dev.penwright.trainer.loop.Schedule;

/**
 * Direct preference optimisation with the sigmoid loss (Rafailov et al.): for each pair,
 * {@code −log σ(β·[(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))])}, where log π sums the response tokens'
 * log-probabilities. The reference is the frozen S-SFT adapter; its log-probabilities are computed once, before
 * the first step, and the reference adapter is not touched again.
 */
public final class Dpo {
    private final LanguageModel model;
    private final LoraAdapter policy;
    private final double beta;
    private final NDManager manager;

    public Dpo(LanguageModel model, LoraAdapter policy, double beta, NDManager manager) {
        this.model = model;
        this.policy = policy;
        this.beta = beta;
        this.manager = manager;
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
        NDArray logits = model.logits(b.inputs(), adapter);
        return Losses.tokenLogProbs(logits, b.targets(), manager).mul(Losses.mask(b.mask(), manager)).sum(new int[] {1});
    }

    private static Example example(String id, long[] prompt, long[] response) {
        long[] all = new long[prompt.length + response.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(response, 0, all, prompt.length, response.length);
        return new Example(id, all, prompt.length);
    }

    /**
     * Trains the policy adapter for {@code steps} optimiser steps of {@code pairsPerStep} pairs (AdamW, warm-up +
     * cosine, global-norm clip 1.0). Pairs are taken in order, round robin.
     */
    public History train(List<DpoPair> pairs, double[][] ref, int steps, int pairsPerStep, double lr,
                         String jobId, Consumer<JobProgress> progress, BooleanSupplier cancelled) {
        Map<String, NDArray> params = policy.tensors();
        Map<String, Boolean> decay = new LinkedHashMap<>();
        params.keySet().forEach(k -> decay.put(k, false));
        AdamW adam = AdamW.defaults(0);
        Schedule schedule = new Schedule(lr, Math.min(5, steps / 5), steps, 0.1);
        History history = new History();
        params.values().forEach(p -> p.setRequiresGradient(true));
        long started = System.nanoTime();
        long tokens = 0;
        int cursor = 0;
        try {
            for (int step = 0; step < steps; step++) {
                if (cancelled != null && cancelled.getAsBoolean()) {
                    break;
                }
                double loss = 0;
                List<Integer> chosen = new ArrayList<>();
                for (int j = 0; j < Math.min(pairsPerStep, pairs.size()); j++) {
                    chosen.add(cursor);
                    cursor = (cursor + 1) % pairs.size();
                }
                for (int i : chosen) {
                    DpoPair p = pairs.get(i);
                    try (NDScope scope = new NDScope();
                         GradientCollector gc = manager.getEngine().newGradientCollector()) {
                        NDArray lp = sequenceLogProbs(p, policy);
                        float refMargin = (float) (ref[i][0] - ref[i][1]);
                        // Scalars the backward reads are torch-owned 0-d arrays (see Scalars).
                        NDArray z = lp.get(0).sub(lp.get(1)).sub(refMargin).mul(Scalars.of(manager, beta));
                        // −log σ(z) = softplus(−z) = max(−z, 0) + log(1 + e^{−|z|})
                        NDArray nz = z.neg();
                        NDArray l = nz.maximum(Scalars.of(manager, 0)).add(nz.abs().neg().exp().add(1f).log())
                                .div(Scalars.of(manager, chosen.size()));
                        gc.backward(l);
                        loss += l.getFloat();
                    }
                    tokens += p.prompt().length * 2L + p.chosen().length + p.rejected().length;
                }
                double rate = schedule.at(step);
                try (NDScope scope = new NDScope()) {
                    clipAndStep(params, decay, adam, rate);
                }
                policy.invalidate();
                double seconds = (System.nanoTime() - started) / 1e9;
                double tps = tokens / Math.max(1e-9, seconds);
                history.steps.add(new History.StepPoint(step + 1, loss, rate, tps));
                if (progress != null) {
                    long eta = Math.round((steps - step - 1) * seconds / (step + 1));
                    progress.accept(new JobProgress(jobId, JobState.RUNNING, "dpo", step + 1, steps, loss, rate, tps,
                            eta, ""));
                }
            }
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        return history;
    }

    private void clipAndStep(Map<String, NDArray> params, Map<String, Boolean> decay, AdamW adam, double lr) {
        double sq = 0;
        for (NDArray p : params.values()) {
            NDArray g = p.getGradient();
            sq += g.square().sum().getFloat();
            g.close();
        }
        double norm = Math.sqrt(sq);
        if (norm > 1.0) {
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.muli((float) (1.0 / (norm + 1e-6)));
                g.close();
            }
        }
        adam.step(params, decay, lr, manager);
        for (NDArray p : params.values()) {
            NDArray g = p.getGradient();
            g.subi(g);
            g.close();
        }
    }
}
