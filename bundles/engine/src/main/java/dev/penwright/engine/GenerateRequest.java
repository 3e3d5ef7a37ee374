package dev.penwright.engine;

import dev.penwright.api.generate.GenerationOptions;

/**
 * One generation request.
 *
 * @param promptIds the prompt's token ids
 * @param options   sampling options; unset fields come from {@link GenerationOptions#DEFAULTS}
 * @param adapter   the LoRA adapter of this request, or null for the base model
 * @param stream    sees tokens as they come, or null
 */
public record GenerateRequest(long[] promptIds, GenerationOptions options, LoraAdapter adapter, TokenStream stream) {
    public GenerateRequest {
        promptIds = promptIds.clone();
        options = (options == null ? GenerationOptions.UNSET : options).over(GenerationOptions.DEFAULTS);
        stream = stream == null ? TokenStream.NONE : stream;
    }

    public GenerateRequest(long[] promptIds, GenerationOptions options, LoraAdapter adapter) {
        this(promptIds, options, adapter, null);
    }
}
