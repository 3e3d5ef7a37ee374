package dev.penwright.trainer.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.training.TrainingAccess;

/** Full-parameter training of the engine's own decoder (base training). */
public final class FullTask implements TrainTask {
    private final LanguageModel model;
    private final NDManager manager;

    public FullTask(LanguageModel model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return TrainingAccess.parameters(model);
    }

    @Override
    public boolean decays(String name, NDArray parameter) {
        // Matrices decay; norms, biases and the embedding do not.
        return parameter.getShape().dimension() >= 2 && !name.equals("embed");
    }

    @Override
    public NDArray lossSum(Batch batch, Rng rng) {
        return Losses.nllSum(model.logits(batch.inputs(), null), batch, manager);
    }

    @Override
    public void saveResult(Path dir) throws IOException {
        TrainingAccess.saveModel(model, dir);
        Path tokenizer = model.directory().resolve("tokenizer.json");
        if (Files.isRegularFile(tokenizer) && !tokenizer.equals(dir.resolve("tokenizer.json"))) {
            Files.copy(tokenizer, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
