/** Evaluators and their scores (0 to 100, each with a signature of how it was computed). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.eval;
