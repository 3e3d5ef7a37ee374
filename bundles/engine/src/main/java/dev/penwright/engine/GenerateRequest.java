package dev.penwright.engine;

import dev.penwright.api.generate.GenerationOptions;

/**
 * One generation request.
 *
 * @param promptIds the prompt's token ids
 * @param options   sampling options; unset fields come from {@link GenerationOptions#DEFAULTS}
 * @param adapter   the LoRA adapter of this request, or null for the base model
 * @param stream    sees tokens as they come, or null
 * @param plan      the plan and style vocabulary for copy-aware decoding, or null: without one the copy-aware
 *                  options do nothing
 */
public record GenerateRequest(long[] promptIds, GenerationOptions options, LoraAdapter adapter, TokenStream stream,
                              PlanContext plan) {
    public GenerateRequest {
        promptIds = promptIds.clone();
        options = (options == null ? GenerationOptions.UNSET : options).over(GenerationOptions.DEFAULTS);
        stream = stream == null ? TokenStream.NONE : stream;
    }

    /** A request without a plan context. */
    public GenerateRequest(long[] promptIds, GenerationOptions options, LoraAdapter adapter, TokenStream stream) {
        this(promptIds, options, adapter, stream, null);
    }

    public GenerateRequest(long[] promptIds, GenerationOptions options, LoraAdapter adapter) {
        this(promptIds, options, adapter, null, null);
    }
}
