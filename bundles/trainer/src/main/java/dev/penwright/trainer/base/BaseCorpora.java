package dev.penwright.trainer.base;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Dataset;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.Split;

/**
 * The corpora of a base run, split, and what the report says of each file.
 *
 * @param corpora  each file's training and validation texts, under a unique name
 * @param sources  the report's {@code corpora} entries
 * @param badLines lines skipped over all files
 */
record BaseCorpora(List<Corpus> corpora, List<BaseReport.Source> sources, int badLines) {
    /** One corpus of a run: its name (the file name without extensions), training texts and validation texts. */
    record Corpus(String name, List<CorpusText> train, List<CorpusText> val) {
    }

    static BaseCorpora read(BaseRecipe recipe) throws IOException, BadDataException {
        List<Corpus> corpora = new ArrayList<>();
        List<BaseReport.Source> sources = new ArrayList<>();
        int badLines = 0;
        JsonlReader reader = new JsonlReader(recipe.onBadLine());
        for (Path file : recipe.corpora()) {
            Dataset<CorpusText> d = reader.corpus(file);
            List<CorpusText> records = d.records();
            if (recipe.maxTexts() > 0 && records.size() > recipe.maxTexts()) {
                records = records.subList(0, recipe.maxTexts());
            }
            List<CorpusText> val = Split.VALIDATION.select(records, CorpusText::id).stream()
                    .limit(recipe.valTexts()).toList();
            String name = uniqueName(corpusName(file), corpora);
            Corpus corpus = new Corpus(name, Split.TRAIN.select(records, CorpusText::id), val);
            corpora.add(corpus);
            badLines += d.badLines().size();
            sources.add(new BaseReport.Source(name, file.toAbsolutePath().toString(), records.size(),
                    corpus.train().size(), d.badLines().size(), records.isEmpty() ? "" : records.get(0).license()));
        }
        BaseCorpora read = new BaseCorpora(List.copyOf(corpora), List.copyOf(sources), badLines);
        if (read.train().isEmpty()) {
            throw new BadDataException("no text of " + recipe.corpora() + " falls in the training split (80% of ids"
                    + " by hash)");
        }
        return read;
    }

    /** Every corpus's training texts, corpus by corpus. */
    List<CorpusText> train() {
        return corpora.stream().flatMap(c -> c.train().stream()).toList();
    }

    private static String corpusName(Path file) {
        String n = file.getFileName().toString();
        for (String ext : List.of(".gz", ".jsonl", ".json")) {
            if (n.endsWith(ext)) {
                n = n.substring(0, n.length() - ext.length());
            }
        }
        return n;
    }

    /** The name, or with -2, -3 … when two corpus files have the same name. */
    private static String uniqueName(String name, List<Corpus> taken) {
        String n = name;
        for (int i = 2; taken.stream().map(Corpus::name).toList().contains(n); i++) {
            n = name + "-" + i;
        }
        return n;
    }
}
