/** Base models: the Hugging Face checkpoints that style packs adapt. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.model;
