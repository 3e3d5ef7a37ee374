/**
 * The rendering-backend side of Penwright: adapters loaded and unloaded at run time by name, as vLLM's
 * {@code /v1/load_lora_adapter} does, and completions of ready prompts with them, so that one Penwright node can
 * render for another.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.serve;
