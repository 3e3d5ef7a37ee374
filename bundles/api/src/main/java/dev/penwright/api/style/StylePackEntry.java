package dev.penwright.api.style;

import java.time.Instant;

/**
 * What an administrator sees of one deployed pack, accepted or not.
 *
 * @param id        the style id, or the file name when not even that could be read
 * @param version   the bundle version, or empty
 * @param name      the human name, or empty
 * @param language  BCP 47 tag, or empty
 * @param baseModel the base model id, or empty
 * @param state     active or rejected
 * @param reason    why it was rejected; empty when active
 * @param source    the bundle location or file it came from
 * @param since     when it reached this state
 */
public record StylePackEntry(String id, String version, String name, String language, String baseModel,
                             StylePackState state, String reason, String source, Instant since) {
}
