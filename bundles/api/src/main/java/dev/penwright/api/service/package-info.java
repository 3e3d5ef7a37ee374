/** Helpers for components that keep the services of one kind as they come and go (DS dynamic references). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.penwright.api.service;
