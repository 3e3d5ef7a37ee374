package dev.penwright.engine;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint, adapter or tokenizer file that cannot be used; the message names the file and, where one is at fault, the tensor. */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public static ModelFormatException of(Path file, String tensor, String problem) {
        return new ModelFormatException(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
    }
}
