package dev.penwright.engine;

import java.util.List;

/**
 * What one request generated.
 *
 * @param tokenIds     the generated ids, prompt excluded (an EOS that ended generation is included, as HF does)
 * @param logprobs     each generated id's log-probability under the model (before penalties and temperature)
 * @param text         the decoded text without special tokens and cut before a stop string; null without a tokenizer
 * @param finishReason eos, stop or length
 * @param promptTokens length of the prompt
 */
public record Generation(List<Integer> tokenIds, List<Double> logprobs, String text, String finishReason,
                         int promptTokens) {
    public Generation {
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
    }
}
