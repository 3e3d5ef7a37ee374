/**
 * The Styler on the engine. {@link dev.penwright.engine.styler.StyleRenderer} is exported so that a tool that must
 * choose the base model itself (the benchmark's {@code --model}) renders exactly as the Styler service does;
 * {@link dev.penwright.engine.styler.PlanText} (1.1.0) gives a plan as the plain text its copy cursor follows.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.penwright.engine.styler;
