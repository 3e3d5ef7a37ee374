package dev.penwright.api.serve;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.TokenListener;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Adapters loaded by name while the runtime runs, and completions of ready prompts with them: what a multi-LoRA
 * server (vLLM with runtime LoRA updating) offers, so that Penwright can be the rendering backend of another node.
 * Failures are {@link dev.penwright.api.generate.GenerationException}s with the codes below or the generation codes.
 */
@ProviderType
public interface AdapterServing {
    /** A load under a name that is already loaded. */
    String ADAPTER_EXISTS = "adapter_exists";
    /** An unload or a completion of a name that is not loaded. */
    String ADAPTER_NOT_FOUND = "adapter_not_found";
    /** A load from a folder outside the configured adapter roots. */
    String PATH_NOT_ALLOWED = "path_not_allowed";

    /**
     * Loads the PEFT adapter folder {@code path} (adapter_config.json, adapter_model.safetensors; a style.json or
     * vocabulary.txt beside them are used when present) under {@code name}, checked against its base model.
     */
    LoadedAdapter load(String name, Path path);

    /** Unloads it; requests already running on it finish first. */
    void unload(String name);

    /** Whether {@code name} is a loaded adapter. */
    Optional<LoadedAdapter> find(String name);

    List<LoadedAdapter> adapters();

    /**
     * Continues {@code prompt} with the adapter {@code name}; copy-aware options treat the prompt as the plan and the
     * adapter's vocabulary as the style's.
     */
    CompletionStage<StyledText> complete(String name, String prompt, GenerationOptions options,
                                         TokenListener listener);
}
