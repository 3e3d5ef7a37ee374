package dev.penwright.trainer.data;

/** One alpaca-style line: the prompt is the instruction (and input, when present); the output is the target. */
public record AlpacaExample(String id, String instruction, String input, String output) {
    /** The instruction and input as one prompt, the way alpaca joins them. */
    public String prompt() {
        return input.isBlank() ? instruction : instruction + "\n\n" + input;
    }
}
