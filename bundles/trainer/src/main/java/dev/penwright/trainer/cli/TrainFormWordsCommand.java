package dev.penwright.trainer.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.trainer.data.CorpusText;
import dev.penwright.trainer.data.JsonlReader;
import dev.penwright.trainer.data.Split;
import dev.penwright.trainer.jobs.TrainerService;
import dev.penwright.trainer.style.PlanCache;
import dev.penwright.trainer.style.StyleForm;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train form-words}: a corpus → its style's form words (style/form-words.txt), as {@code train style} writes
 * them into a pack; for a pack trained before packs carried them, or to see what a planner leaves out of a corpus.
 */
@Component(service = Subcommand.class, property = Subcommand.NAME + "=train form-words")
public final class TrainFormWordsCommand extends PicocliSubcommand {
    private final TrainerService trainer;

    @Activate
    public TrainFormWordsCommand(@Reference TrainerService trainer) {
        this.trainer = trainer;
    }

    @Override
    public String name() {
        return "train form-words";
    }

    @Override
    protected Callable<Integer> newCommand(PrintStream out, PrintStream err) {
        return new FormWords(out);
    }

    @Command(name = "train form-words", mixinStandardHelpOptions = true,
            description = "Find a corpus's form words (what its training texts hold and their neutral drafts leave "
                    + "out: part-of-speech marks, numbered senses) and write them as a pack's style/form-words.txt.")
    final class FormWords implements Callable<Integer> {
        private final PrintStream out;

        @Option(names = "--corpus", required = true, description = "Corpus JSONL (id, style, title, text; .gz too).")
        Path corpus;
        @Option(names = "--out", required = true, description = "File to write, one word a line.")
        Path file;
        @Option(names = "--openers",
                description = "Also write which form word a first line puts before which word (a pack's "
                        + "style/form-openers.tsv) to this file.")
        Path openers;
        @Option(names = "--labels",
                description = "Also write the labels the style sets on lines of their own (a pack's "
                        + "style/label-lines.txt) to this file.")
        Path labels;
        @Option(names = "--max-texts", defaultValue = "2000",
                description = "Training-split texts to plan and compare, the first by id order (default ${DEFAULT-VALUE}).")
        int maxTexts;
        @Option(names = "--planner", description = "Planner id whose drafts are compared (default: the "
                + "pipeline's configured default planner; extractive when no pipeline is running).")
        String plannerId;

        FormWords(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            List<CorpusText> texts = new JsonlReader(JsonlReader.OnBadLine.SKIP).corpus(corpus).records();
            List<CorpusText> train = Split.TRAIN.select(texts, CorpusText::id);
            if (train.size() > maxTexts) {
                train = train.subList(0, maxTexts);
            }
            List<String> failures = new ArrayList<>();
            Path cache = Files.createTempFile("penwright-plans", ".jsonl");
            try {
                Map<String, ContentPlan> plans = PlanCache.plans(trainer.planner(plannerId != null ? plannerId
                        : trainer.defaultPlannerId()), train, cache, failures);
                StyleVocabulary form = StyleForm.of(StyleVocabulary.EMPTY, train, plans);
                List<String> words = form.formWords();
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.write(file, words, StandardCharsets.UTF_8);
                out.printf("%d form words from %d texts (%d not planned) -> %s%n%s%n", words.size(), plans.size(),
                        failures.size(), file, String.join(" ", words.subList(0, Math.min(40, words.size()))));
                if (openers != null) {
                    Files.write(openers, form.formOpeners().lines(), StandardCharsets.UTF_8);
                    out.printf("%d first-line form-word counts -> %s%n", form.formOpeners().lines().size(), openers);
                }
                if (labels != null) {
                    Files.write(labels, form.labelLines(), StandardCharsets.UTF_8);
                    out.printf("%d label lines -> %s%n%s%n", form.labelLines().size(), labels,
                            String.join(" | ", form.labelLines()));
                }
                return 0;
            } finally {
                Files.deleteIfExists(cache);
            }
        }
    }
}
