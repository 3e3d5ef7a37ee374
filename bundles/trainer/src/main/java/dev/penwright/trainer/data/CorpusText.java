package dev.penwright.trainer.data;

/** One line of a corpus file (the format of the project's corpora/): a styled text with its provenance. */
public record CorpusText(String id, String style, String title, String text, String source, String license) {
}
