package dev.penwright.trainer.style;

import java.nio.file.Path;

/**
 * What a style run produced.
 *
 * @param jar      the style-pack jar
 * @param version  its bundle version
 * @param deployed where --deploy put it, or null
 * @param report   report.json as written into the pack
 * @param deployVerdict with --deploy, whether and why it was deployed (or not); null without --deploy
 */
public record StyleRun(Path jar, String version, Path deployed, Path report, Path lossCurve, String deployVerdict) {
}
