/** The style-imitation benchmark: logic callable without OSGi (runner, systems, report writers). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.bench;
