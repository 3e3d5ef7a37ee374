package dev.penwright.trainer.style;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.trainer.data.AlpacaExample;
import dev.penwright.trainer.data.BadDataException;
import dev.penwright.trainer.data.BadLine;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.Dataset;
import dev.penwright.trainer.data.JsonlReader;

/**
 * The texts of a style run, from a corpus file (the planner plans each text) or an alpaca file, whose lines bring
 * their own prompt: the instruction becomes the plan's title and the input its draft, rendered by the pack's
 * template (so the styler renders plans the same way), and the output is the text.
 *
 * @param records    the texts, in file order
 * @param givenPlans the plan of each text when the file brings them (alpaca), else null
 * @param badLines   lines skipped
 * @param format     corpus or alpaca
 */
record TrainingData(List<CorpusText> records, Map<String, ContentPlan> givenPlans, List<BadLine> badLines,
                    String format) {
    static TrainingData read(StyleRecipe recipe) throws IOException, BadDataException {
        JsonlReader reader = new JsonlReader(recipe.onBadLine());
        boolean alpaca = switch (recipe.format()) {
            case ALPACA -> true;
            case CORPUS -> false;
            case AUTO -> JsonlReader.looksAlpaca(recipe.corpus());
        };
        if (!alpaca) {
            Dataset<CorpusText> corpus = reader.corpus(recipe.corpus());
            return new TrainingData(corpus.records(), null, corpus.badLines(), "corpus");
        }
        Dataset<AlpacaExample> file = reader.alpaca(recipe.corpus());
        List<CorpusText> texts = new ArrayList<>();
        Map<String, ContentPlan> plans = new LinkedHashMap<>();
        List<BadLine> bad = new ArrayList<>(file.badLines());
        for (AlpacaExample a : file.records()) {
            if (plans.containsKey(a.id())) {
                // Two lines with the same instruction and input (or id): the split needs distinct ids.
                bad.add(new BadLine(recipe.corpus(), 0, "duplicate id '" + a.id() + "' (same instruction and input)"));
                continue;
            }
            texts.add(new CorpusText(a.id(), recipe.id(), a.instruction(), a.output(), "", ""));
            plans.put(a.id(), new ContentPlan(a.instruction(), "", List.of(), a.input(), "", "alpaca", null));
        }
        return new TrainingData(texts, plans, bad, "alpaca");
    }
}
