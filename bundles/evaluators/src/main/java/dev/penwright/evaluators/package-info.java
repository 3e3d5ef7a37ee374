/**
 * Penwright's evaluation metrics as plain classes, usable without OSGi: BLEU-4 as sacrebleu 2.x computes it, ROUGE-L
 * and ROUGE-Lsum as Google's rouge-score computes them, a style-consistency classifier, fact-level hallucination
 * checks, and the pairs file ({@code {"id","hypothesis","reference","source"?}} per line) shared with the benchmark.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.penwright.evaluators;
