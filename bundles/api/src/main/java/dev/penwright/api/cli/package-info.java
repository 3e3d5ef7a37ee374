/** Subcommands shared by the command line and the Gogo shell. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.cli;
