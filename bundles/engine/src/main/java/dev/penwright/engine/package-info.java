/**
 * The small-model engine: Hugging Face decoder checkpoints on DJL, PEFT LoRA adapters, KV-cache generation with
 * continuous multi-adapter batching, and scoring. What only training needs (a model's parameters, dropout, checkpoint
 * writers, the BPE tokenizer trainer) is in {@link dev.penwright.engine.training}.
 *
 * <p>2.0.0 moved {@code TrainingAccess} and {@code BpeTrainer} from here to {@code dev.penwright.engine.training}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package dev.penwright.engine;
