package dev.penwright.api.train;

/** What a training job makes. */
public enum TrainingKind {
    /** A tokenizer and a base model, full parameters. */
    BASE,
    /** A style pack: S-SFT, then optional self-improvement rounds and C-DPO. */
    STYLE
}
