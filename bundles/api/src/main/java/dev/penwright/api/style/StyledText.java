package dev.penwright.api.style;

/**
 * The small model's output.
 *
 * @param text            the article
 * @param modelId         the base model
 * @param styleRef        {@code id@version}, or empty for no pack
 * @param promptTokens    tokens in the prompt
 * @param generatedTokens tokens generated
 * @param finishReason    stop, length or eos
 */
public record StyledText(String text, String modelId, String styleRef, int promptTokens, int generatedTokens,
                         String finishReason) {
}
