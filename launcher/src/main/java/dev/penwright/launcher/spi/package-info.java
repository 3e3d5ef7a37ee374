/**
 * What the launcher asks of the runtime it starts. The system bundle exports this package, so a bundle implements
 * it against the launcher's own class.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.penwright.launcher.spi;
