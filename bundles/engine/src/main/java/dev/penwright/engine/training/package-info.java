/**
 * What the trainer (bundle {@code dev.penwright.trainer}) needs of the engine beyond inference, kept apart so that
 * {@link dev.penwright.engine} is the inference API alone: {@link dev.penwright.engine.training.TrainingAccess} (a
 * loaded model's parameters as the live arrays the forward pass reads, a forward pass with LoRA dropout, writers
 * for Hugging Face checkpoints and plain tensor files) and {@link dev.penwright.engine.training.BpeTrainer} (trains
 * the byte-level BPE {@code tokenizer.json} of a model built from scratch). Models and adapters themselves, and
 * {@code RandomModels}, stay in {@link dev.penwright.engine}: inference code uses them too.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.engine.training;
