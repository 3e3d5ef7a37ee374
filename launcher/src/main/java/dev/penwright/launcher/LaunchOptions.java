package dev.penwright.launcher;

import java.nio.file.Path;

/**
 * Where the runtime lives and what it binds.
 *
 * @param home   the runtime folder: system/bundles, etc/, deploy/, models/
 * @param deploy the folder watched for style packs and other bundles
 * @param models the folder of base models
 * @param host   the HTTP address
 * @param port   the HTTP port
 * @param mode   what the runtime is started for
 * @param framework the OSGi framework embedded
 */
record LaunchOptions(Path home, Path deploy, Path models, String host, int port, LaunchMode mode,
                     OsgiFramework framework) {
}
