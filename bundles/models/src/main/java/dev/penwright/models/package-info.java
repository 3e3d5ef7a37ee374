/** Reading model folders: safetensors headers and fingerprints, shared with the style-pack validator. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.penwright.models;
