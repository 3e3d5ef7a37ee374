package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.training.TrainingAccess;

/** LoRA training: only the adapter's A and B (PEFT names) learn; the base model stays frozen. */
public final class LoraTask implements TrainTask {
    private final LanguageModel model;
    private final LoraAdapter adapter;
    private final double dropout;
    private final NDManager manager;

    public LoraTask(LanguageModel model, LoraAdapter adapter, double dropout, NDManager manager) {
        this.model = model;
        this.adapter = adapter;
        this.dropout = dropout;
        this.manager = manager;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return adapter.tensors();
    }

    @Override
    public NDArray lossSum(Batch batch, Rng rng) {
        // The adapter caches its fused projections; rebuild them here so that a training pass records them in the
        // gradient graph (a cache made during validation would cut A and B out of it).
        adapter.invalidate();
        NDArray logits = rng == null ? model.logits(batch.inputs(), adapter)
                : TrainingAccess.logits(model, batch.inputs(), adapter, dropout, rng.fork());
        return Losses.nllSum(logits, batch, manager);
    }

    @Override
    public void updated() {
        adapter.invalidate();
    }

    @Override
    public void saveResult(Path dir) throws IOException {
        adapter.save(dir);
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
