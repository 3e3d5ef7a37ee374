package dev.penwright.api.style;

import dev.penwright.api.generate.GenerationOptions;

/**
 * A style pack's {@code style/style.json}.
 *
 * @param id                   the style's id, also the {@code Penwright-StylePack} header and the OpenAI "model" name
 * @param name                 a human name
 * @param language             BCP 47 tag of the texts it writes
 * @param description          what the voice is
 * @param baseModel            id of the base model the adapter was trained on
 * @param baseModelFingerprint that model's fingerprint, see {@link dev.penwright.api.model.BaseModelInfo}
 * @param promptTemplate       how a plan becomes the small model's prompt; placeholders {title}, {summary},
 *                             {facts}, {draft}
 * @param defaults             sampling defaults for this style
 * @param license              license of the texts the pack was trained on
 * @param provenance           where those texts came from
 */
public record StyleDescriptor(String id, String name, String language, String description, String baseModel,
                              String baseModelFingerprint, String promptTemplate, GenerationOptions defaults,
                              String license, String provenance) {
    public StyleDescriptor {
        defaults = defaults == null ? GenerationOptions.UNSET : defaults;
    }
}
