/**
 * Reading model folders: fingerprints, and the one safetensors header reader, shared with the style-pack validator
 * and the engine. 2.0.0: {@code SafetensorsHeader} gained {@code dataStart}, {@code metadata} (record components, so
 * its constructor changed), {@code FormatException}, {@code bytesPerElement} and stricter checks.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.penwright.models;
