/**
 * Rendering on a multi-LoRA serving fleet: {@link dev.penwright.styler.remote.RemoteStyler} and what it sends
 * ({@link dev.penwright.styler.remote.BackendProtocol}), exported for tools that measure or check a backend.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.styler.remote;
