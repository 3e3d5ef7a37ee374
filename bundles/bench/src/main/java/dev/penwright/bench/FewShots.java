package dev.penwright.bench;

import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.style.Shot;
import dev.penwright.trainer.data.CorpusText;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few-shot exemplars of the base-model and LLM rows, from the style's TRAIN split (never the test text): the
 * {@code k} nearest to the item's plan by the retrieval row's TF-IDF, or the same {@code k} for every item (a seeded
 * sample). Each exemplar goes with the plan the run's planner makes of it, so the prompt shows plan → text pairs as
 * training does. Plans are made once an exemplar.
 */
public final class FewShots {
    /** How exemplars are chosen. */
    public enum Selection { NEAREST, SEEDED }

    /** What an exemplar shows: its plan and text (as training examples are), or the text alone (half the tokens). */
    public enum Format { PAIRS, TEXTS }

    private final int k;
    private final Selection selection;
    private final long seed;
    private final Planner planner;
    private final Format format;
    private final Map<String, TfIdfIndex> indexes = new ConcurrentHashMap<>();
    private final Map<String, List<CorpusText>> seeded = new ConcurrentHashMap<>();
    private final Map<String, ContentPlan> plans = new ConcurrentHashMap<>();

    public FewShots(int k, Selection selection, long seed, Planner planner) {
        this(k, selection, Format.PAIRS, seed, planner);
    }

    public FewShots(int k, Selection selection, Format format, long seed, Planner planner) {
        if (k < 0) {
            throw new IllegalArgumentException("--shots must be 0 or more, got " + k);
        }
        this.k = k;
        this.selection = selection;
        this.seed = seed;
        this.planner = planner;
        this.format = format;
    }

    public int k() {
        return k;
    }

    public String description() {
        return k == 0 ? "zero-shot" : k + "-shot, " + (selection == Selection.NEAREST
                ? "nearest TRAIN texts by TF-IDF cosine to the plan" : "a seeded sample of TRAIN texts (seed " + seed + ")")
                + (format == Format.PAIRS ? ", each with the " + planner.id() + " planner's plan" : ", texts only");
    }

    /** Idempotent: the base-model and LLM rows share one instance. */
    public void prepare(String style, List<CorpusText> train) {
        List<CorpusText> usable = train.stream().filter(t -> !t.text().isBlank()).toList();
        indexes.computeIfAbsent(style, s -> new TfIdfIndex(usable));
        seeded.computeIfAbsent(style, s -> {
            List<CorpusText> copy = new ArrayList<>(usable);
            Collections.shuffle(copy, new Random(seed));
            return List.copyOf(copy.subList(0, Math.min(k, copy.size())));
        });
    }

    /** The exemplars for one item, most useful first (the styler drops from the end when the context is short). */
    public List<Shot> shots(String style, BenchItem item) throws PlanningException {
        if (k == 0) {
            return List.of();
        }
        TfIdfIndex index = indexes.get(style);
        if (index == null) {
            throw new IllegalStateException("few-shot exemplars of style " + style + " were not prepared");
        }
        List<CorpusText> chosen = selection == Selection.NEAREST
                ? index.nearest(TfIdfIndex.query(item.plan()), k) : seeded.get(style);
        List<Shot> out = new ArrayList<>();
        for (CorpusText t : chosen) {
            if (format == Format.TEXTS) {
                out.add(new Shot(null, t.text()));
                continue;
            }
            ContentPlan plan = plans.get(t.id());
            if (plan == null) {
                plan = planner.plan(new Material("", List.of(), t.text(), item.language()));
                plans.put(t.id(), plan);
            }
            out.add(new Shot(plan, t.text()));
        }
        return out;
    }
}
