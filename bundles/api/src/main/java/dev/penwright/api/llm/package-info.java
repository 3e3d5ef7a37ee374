/** Large language model endpoints that the runtime's configuration provides, for uses beyond planning. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.llm;
