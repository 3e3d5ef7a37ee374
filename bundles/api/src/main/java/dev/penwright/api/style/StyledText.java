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
 * @param shotsUsed       how many of the request's few-shot exemplars the prompt held (the rest did not fit)
 * @param planTruncated   whether the plan was shortened so that the prompt and the new tokens fit the model's
 *                        context: its neutral draft (the rest is kept unless, even without the draft, too little
 *                        room would be left to write: then key facts from the end, then the summary)
 */
public record StyledText(String text, String modelId, String styleRef, int promptTokens, int generatedTokens,
                         String finishReason, int shotsUsed, boolean planTruncated) {
    /** A text made from a prompt with no shots and the whole draft. */
    public StyledText(String text, String modelId, String styleRef, int promptTokens, int generatedTokens,
                      String finishReason) {
        this(text, modelId, styleRef, promptTokens, generatedTokens, finishReason, 0, false);
    }
}
