package dev.penwright.api.model;

import java.nio.file.Path;

/**
 * A base model found on disk in Hugging Face layout.
 *
 * @param id           the folder name, or the id given in configuration
 * @param directory    the folder holding config.json, the safetensors and tokenizer.json
 * @param architecture config.json's model_type, such as llama or qwen2
 * @param fingerprint  a hash of config.json, tokenizer.json and the safetensors headers: what an adapter was trained on
 * @param parameters   the number of parameters, read from the safetensors headers
 */
public record BaseModelInfo(String id, Path directory, String architecture, String fingerprint, long parameters) {
}
