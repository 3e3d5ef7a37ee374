package dev.penwright.bench;

/** Told of each output made, so that the command can draw a progress bar or write JSON progress lines. */
public interface Progress {
    Progress NONE = (phase, style, system, done, total) -> { };

    void update(String phase, String style, String system, int done, int total);
}
