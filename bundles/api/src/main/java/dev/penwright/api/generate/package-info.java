/** One generation request through plan, style and evaluation, and its result. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package dev.penwright.api.generate;
