/**
 * The small-model engine: Hugging Face decoder checkpoints on DJL, PEFT LoRA adapters, KV-cache generation with
 * continuous multi-adapter batching, scoring, and a byte-level BPE tokenizer trainer.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package dev.penwright.engine;
