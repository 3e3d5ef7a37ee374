/** Style packs and the styler that renders a plan in a pack's voice. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.10.0")
package dev.penwright.api.style;
