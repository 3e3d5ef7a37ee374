package dev.penwright.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.penwright.stylepacks.testing.PackFixtures;

/**
 * The fixtures' tiny llama (32-token vocabulary, random weights) made generative: a character-level Hugging Face
 * tokenizer.json whose vocabulary fits its 32 ids, so that the real engine renders real (if meaningless) text from
 * it, and style packs from {@link PackFixtures} fit it.
 */
final class TinyModel {
    /** 32 symbols: unknown, space, a full stop and the letters; capitals and digits map to unknown. */
    static final String SYMBOLS = " .abcdefghijklmnopqrstuvwxyz,'-";

    private TinyModel() {
    }

    static Path write(Path models, String id) throws IOException {
        Path dir = PackFixtures.writeModel(models, id);
        // Room for long generations (RoPE needs no weights per position), so that cancellation can be observed.
        ObjectNode config = (ObjectNode) PackFixtures.JSON.readTree(dir.resolve("config.json").toFile());
        config.put("max_position_embeddings", 4096);
        PackFixtures.JSON.writeValue(dir.resolve("config.json").toFile(), config);
        ObjectNode tokenizer = PackFixtures.JSON.createObjectNode();
        tokenizer.put("version", "1.0");
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        tokenizer.putArray("added_tokens").addObject().put("id", 0).put("content", "<unk>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        tokenizer.putObject("normalizer").put("type", "Lowercase");
        tokenizer.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", ".");
        tokenizer.putNull("post_processor");
        tokenizer.putObject("decoder").put("type", "Fuse");
        ObjectNode model = tokenizer.putObject("model");
        model.put("type", "WordLevel").put("unk_token", "<unk>");
        ObjectNode vocab = model.putObject("vocab");
        vocab.put("<unk>", 0);
        for (int i = 0; i < SYMBOLS.length(); i++) {
            vocab.put(String.valueOf(SYMBOLS.charAt(i)), i + 1);
        }
        if (vocab.size() != PackFixtures.VOCAB) {
            throw new IllegalStateException("vocabulary of " + vocab.size() + ", model has " + PackFixtures.VOCAB);
        }
        PackFixtures.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
        return dir;
    }
}
