package dev.penwright.engine.styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.Shot;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.Engine;
import dev.penwright.engine.Generation;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.PlanContext;

/**
 * Renders a plan with a pack: its base model (found by id), its adapter (the pack's folder), its prompt template
 * and its sampling defaults; the request joins the model's running batch. Plain Java, so tests run it directly.
 */
public final class StyleRenderer {
    /** Finds a base model by id. */
    @FunctionalInterface
    public interface Models {
        BaseModelInfo find(String id);

        /** The model to use when neither the request nor the configuration names one: the only one installed. */
        default BaseModelInfo sole() {
            return null;
        }
    }

    private final Engine engine;
    private final Models models;
    private final String defaultModel;
    /** Pack folders whose adapters are loaded and whose withdrawal is watched. */
    private final Set<Path> watched = ConcurrentHashMap.newKeySet();

    public StyleRenderer(Engine engine, Models models, String defaultModel) {
        this.engine = engine;
        this.models = models;
        this.defaultModel = defaultModel;
    }

    public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
        // The pack's version is held while the engine works with it: its files stay, and its adapter is not
        // evicted, until this request is done.
        StylePack.Hold hold = StylePack.Hold.NONE;
        if (request != null && request.pack() != null) {
            Optional<StylePack.Hold> held = request.pack().hold();
            if (held.isEmpty()) {
                return CompletableFuture.failedFuture(new GenerationException(GenerationException.UNAVAILABLE,
                        "style pack " + request.pack().ref() + " was withdrawn before the request started"));
            }
            hold = held.get();
        }
        CompletionStage<StyledText> styled;
        try {
            styled = start(request, listener == null ? TokenListener.NONE : listener);
        } catch (GenerationException e) {
            styled = CompletableFuture.failedFuture(e);
        } catch (IOException e) {
            styled = CompletableFuture.failedFuture(new GenerationException(GenerationException.UNAVAILABLE,
                    "cannot load the model or adapter: " + e.getMessage(), 0, e));
        } catch (IllegalArgumentException | IllegalStateException e) {
            styled = CompletableFuture.failedFuture(new GenerationException(GenerationException.INVALID_REQUEST,
                    e.getMessage(), 0, e));
        }
        StylePack.Hold release = hold;
        return styled.whenComplete((text, failure) -> release.close());
    }

    /** Evicts a pack version's adapter once the version is gone for good; watched once per version. */
    private void evictWhenWithdrawn(StylePack pack) {
        if (watched.add(pack.directory())) {
            pack.withdrawn().thenRun(() -> {
                engine.evictAdapter(pack.directory());
                watched.remove(pack.directory());
            });
        }
    }

    private CompletionStage<StyledText> start(StyleRequest request, TokenListener listener) throws IOException {
        if (request == null || request.plan() == null) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "no plan to render");
        }
        StylePack pack = request.pack();
        StyleDescriptor style = pack == null ? null : pack.descriptor();
        String modelId = style == null || style.baseModel() == null || style.baseModel().isBlank() ? defaultModel : style.baseModel();
        BaseModelInfo info;
        if (modelId == null || modelId.isBlank()) {
            info = models.sole();
            if (info == null) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "no base model: the request has no style"
                        + " pack, no default model is configured, and not exactly one model is installed");
            }
            modelId = info.id();
        } else {
            info = models.find(modelId);
        }
        if (info == null) {
            throw new GenerationException(GenerationException.UNAVAILABLE, "base model '" + modelId + "' is not in the model catalog");
        }
        if (style != null && style.baseModelFingerprint() != null && !style.baseModelFingerprint().isBlank()
                && info.fingerprint() != null && !info.fingerprint().isBlank()
                && !style.baseModelFingerprint().equals(info.fingerprint())) {
            throw new GenerationException(GenerationException.UNAVAILABLE, "style pack " + pack.ref() + " was trained on "
                    + modelId + " with fingerprint " + style.baseModelFingerprint() + ", but the model found has "
                    + info.fingerprint());
        }
        LanguageModel model = engine.model(info.directory());
        LoraAdapter adapter = null;
        if (pack != null) {
            adapter = engine.adapter(model, pack.directory());
            evictWhenWithdrawn(pack);
        }
        GenerationOptions options = (request.options() == null ? GenerationOptions.UNSET : request.options())
                .over(style == null ? null : style.defaults()).over(GenerationOptions.DEFAULTS);
        PromptTemplate template = PromptTemplate.of(style);
        String draft = request.plan().neutralDraft() == null ? "" : request.plan().neutralDraft().strip();
        // The text writes the plan's verbatim blocks too, which its prompt's draft leaves out.
        String written = VerbatimBlocks.copySource(draft, request.plan().verbatimBlocks(), true);
        Fitted fitted = fit(model, template, request.plan(), request.shots(), expectedNewTokens(model, written, options));
        // A style that opens with its title's line copies the title as that line (the draft runs it into its text).
        boolean titled = pack != null && TitleLine.styleTitles(pack.exemplars());
        String signOffDash = pack == null ? "" : SignOffDash.of(pack.exemplars());
        List<String> labels = pack == null ? List.of() : pack.vocabulary().labelLines();
        String ref = pack == null ? "" : pack.ref();
        // Sections need the copy cursor: without it nothing ties a section's text to its part of the draft.
        if (fitted.planTruncated() && !draft.isEmpty() && options.isCopyAware()) {
            Optional<List<DraftSections.Section>> sections = sections(model, template, request.plan(), draft);
            if (sections.isPresent()) {
                List<DraftSections.Section> parts = new ArrayList<>();
                for (DraftSections.Section part : sections.get()) {
                    String source = PlanText.of(parts.isEmpty() && titled
                            ? TitleLine.copySource(request.plan().title(), part.copySource()) : part.copySource(),
                            request.plan(), parts.isEmpty());
                    // The separator before a later section (" " in Latin text) stays: LabelLines strips its input.
                    String separator = source.substring(0, source.length() - source.stripLeading().length());
                    parts.add(new DraftSections.Section(part.draft(), separator + LabelLines.copySource(source, labels)));
                }
                return new SectionedRendering(model, adapter, template, request.plan(), options,
                        pack == null ? StyleVocabulary.EMPTY : pack.vocabulary(), signOffDash, listener, info.id(), ref,
                        parts).start();
            }
        }
        long[] ids = fitted.ids();
        int room = model.config().maxPositions() - ids.length;
        if (room <= 0) {
            throw new GenerationException(GenerationException.INVALID_REQUEST, "the prompt has " + ids.length
                    + " tokens however it is shortened; the model's context is " + model.config().maxPositions());
        }
        if (options.maxNewTokens() > room) {
            // The plan without its draft leaves less room than asked for: generate what fits rather than fail.
            options = options.withMaxNewTokens(room);
        }
        PlanContext planContext = null;
        if (options.isCopyAware()) {
            int[] span = planSpan(model, template, fitted);
            if (span != null) {
                StyleVocabulary vocabulary = pack == null ? StyleVocabulary.EMPTY : pack.vocabulary();
                planContext = PlanContext.span(ids, span[0], span[1], vocabulary.words())
                        .withForm(vocabulary).withSignOffDash(signOffDash);
                if (!draft.isEmpty()) {
                    String source = LabelLines.copySource(PlanText.of(
                            titled ? TitleLine.copySource(request.plan().title(), draft) : draft, request.plan(), true),
                            labels);
                    planContext = planContext.withCopySource(model.encode(source, false))
                            .withVerbatim(VerbatimBlocks.byteSpans(source, request.plan().verbatimBlocks()));
                }
            }
        }
        CompletableFuture<Generation> submitted = model.submit(new GenerateRequest(ids, options, adapter,
                (id, lp, text) -> {
                    if (!text.isEmpty()) {
                        listener.onText(text);
                    }
                }, planContext));
        CompletableFuture<StyledText> styled = submitted.thenApply(g -> new StyledText(g.text() == null ? "" : g.text(),
                info.id(), ref, g.promptTokens(), g.tokenIds().size(), g.finishReason(), fitted.shots(),
                fitted.planTruncated()));
        return styled;
    }

    /** Tokens of text a draft of this many tokens is expected to take once styled: layout adds to the words. */
    static int styledLength(int draftTokens) {
        return draftTokens + draftTokens / 4 + 32;
    }

    /**
     * Tokens of the context to keep free for the text: with copy-aware decoding, which writes the draft, the styled
     * draft's length (at most what the options allow); else what the options allow, or half the context when they
     * allow the whole context or more: a limit beyond the context (a pack's, meant for long articles) must not crowd
     * the plan out of the prompt.
     */
    private static int expectedNewTokens(LanguageModel model, String draft, GenerationOptions options) {
        if (draft.isEmpty() || !options.isCopyAware()) {
            int context = model.config().maxPositions();
            return options.maxNewTokens() < context ? options.maxNewTokens() : Math.max(1, context / 2);
        }
        return Math.min(options.maxNewTokens(), styledLength(model.encode(draft, false).length));
    }

    /** Generated tokens of the text so far that a section's prompt repeats after the template, so that it continues. */
    static final int SECTION_TAIL_TOKENS = 48;

    /**
     * The draft as sections that each fit with the plan's other fields, the end of the text so far and the section's
     * styled text; empty when the plan without its draft leaves too little room for that.
     */
    static Optional<List<DraftSections.Section>> sections(LanguageModel model, PromptTemplate template,
                                                          ContentPlan plan, String draft) {
        int overhead = model.encode(template.render(withDraft(plan, ""))).length + SECTION_TAIL_TOKENS;
        int free = model.config().maxPositions() - overhead;
        // A section of d tokens needs d in the prompt and styledLength(d) for its text.
        int maxSection = (free - styledLength(0)) * 4 / 9;
        if (maxSection < MIN_NEW_TOKENS / 2) {
            return Optional.empty();
        }
        if (plan.verbatimBlocks().isEmpty()) {
            return Optional.of(DraftSections.split(draft, maxSection, text -> model.encode(text, false).length));
        }
        // A section's text also writes the verbatim blocks after its sentences; counted up to half a section, so a
        // listing longer than that does not shrink its section to nothing (its text then runs out of room instead).
        return Optional.of(DraftSections.split(draft, maxSection, text -> {
            int prose = model.encode(text, false).length;
            int blocks = model.encode(VerbatimBlocks.copySource(text, plan.verbatimBlocks(), true), false).length - prose;
            return prose + Math.min(Math.max(0, blocks), maxSection / 2);
        }));
    }

    /** The prompt that fits (its text and ids), how many shots it holds, and whether the draft was cut. */
    record Fitted(String prompt, int planStart, long[] ids, int shots, boolean planTruncated) {
    }

    /** A prompt's text, where its plan's rendering starts in it, and its token ids. */
    private record Prompt(String text, int planStart, long[] ids) {
        static Prompt of(LanguageModel model, PromptTemplate template, ContentPlan plan, List<Shot> shots) {
            String text = template.render(plan, shots);
            return new Prompt(text, text.length() - template.render(plan).length(), model.encode(text));
        }
    }

    /** Tokens a text is left at least room for before key facts or the summary are given up. */
    static final int MIN_NEW_TOKENS = 64;

    /**
     * Makes the prompt leave {@code maxNew} tokens of the context free: first the shots go, the last (least useful)
     * first; then the plan's draft is cut to the longest prefix (at a word boundary where there is one) that fits,
     * found by bisection on its length. Title, summary and key facts are what the text must say: when even the plan
     * without its draft leaves less room than that, the caller generates fewer tokens instead; only when it would
     * leave fewer than {@value #MIN_NEW_TOKENS} (or {@code maxNew}, if smaller), key facts go from the end, then the
     * summary is cut, then the title, rather than fail.
     */
    static Fitted fit(LanguageModel model, PromptTemplate template, ContentPlan plan, List<Shot> shots, int maxNew) {
        int context = model.config().maxPositions();
        int budget = context - Math.max(1, maxNew);
        List<Shot> kept = new ArrayList<>(shots);
        Prompt p = Prompt.of(model, template, plan, kept);
        while (p.ids().length > budget && !kept.isEmpty()) {
            kept.remove(kept.size() - 1);
            p = Prompt.of(model, template, plan, kept);
        }
        if (p.ids().length <= budget) {
            return new Fitted(p.text(), p.planStart(), p.ids(), kept.size(), false);
        }
        ContentPlan bare = withDraft(plan, "");
        Prompt empty = Prompt.of(model, template, bare, List.of());
        if (empty.ids().length <= budget) {
            String draft = plan.neutralDraft();
            Prompt best = bisect(draft.length(), n -> Prompt.of(model, template, withDraft(plan, cut(draft, n)),
                    List.of()), budget, empty);
            return new Fitted(best.text(), best.planStart(), best.ids(), 0, true);
        }
        int floor = context - Math.max(1, Math.min(maxNew, MIN_NEW_TOKENS));
        if (empty.ids().length <= floor) {
            return new Fitted(empty.text(), empty.planStart(), empty.ids(), 0, true);
        }
        List<String> facts = new ArrayList<>(bare.keyFacts());
        while (empty.ids().length > floor && !facts.isEmpty()) {
            facts.remove(facts.size() - 1);
            bare = new ContentPlan(bare.title(), bare.summary(), facts, "", bare.language(), bare.plannerId(),
                    bare.usage());
            empty = Prompt.of(model, template, bare, List.of());
        }
        if (empty.ids().length > floor) {
            ContentPlan noFacts = bare;
            String summary = bare.summary();
            ContentPlan noSummary = new ContentPlan(bare.title(), "", List.of(), "", bare.language(), bare.plannerId(),
                    bare.usage());
            empty = bisect(summary.length(), n -> Prompt.of(model, template, new ContentPlan(noFacts.title(),
                    cut(summary, n), List.of(), "", noFacts.language(), "", null), List.of()), floor,
                    Prompt.of(model, template, noSummary, List.of()));
            if (empty.ids().length > floor) {
                String title = bare.title();
                empty = bisect(title.length(), n -> Prompt.of(model, template, new ContentPlan(cut(title, n), "",
                        List.of(), "", noFacts.language(), "", null), List.of()), floor,
                        Prompt.of(model, template, new ContentPlan("", "", List.of(), "", "", "", null),
                                List.of()));
            }
        }
        return new Fitted(empty.text(), empty.planStart(), empty.ids(), 0, true);
    }

    /**
     * The prompt of the longest prefix length in {@code [0, length]} that has at most {@code budget} tokens, by
     * bisection; {@code atZero} is the prompt at length 0 (returned when nothing longer fits).
     */
    private static Prompt bisect(int length, java.util.function.IntFunction<Prompt> encode, int budget, Prompt atZero) {
        int lo = 0;
        int hi = length;
        Prompt best = atZero;
        while (lo < hi) { // invariant: a prefix of length lo fits
            int mid = (lo + hi + 1) >>> 1;
            Prompt tryPrompt = encode.apply(mid);
            if (tryPrompt.ids().length <= budget) {
                lo = mid;
                best = tryPrompt;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /**
     * The token span of the plan in a fitted prompt: from the first placeholder's text to the last one's end (the
     * template's own markup around them, such as {@code <|plan|>}, is not the plan). Token positions are the lengths
     * of the encoded prefixes, so a merge across a boundary can move an end by one token, which only widens or
     * narrows what copying can match by that token. @return {from, to}, or null when the plan is empty
     */
    static int[] planSpan(LanguageModel model, PromptTemplate template, Fitted fitted) {
        String t = template.text();
        java.util.regex.Matcher m = PLACEHOLDER.matcher(t);
        int firstStart = -1;
        int lastEnd = -1;
        while (m.find()) {
            if (firstStart < 0) {
                firstStart = m.start();
            }
            lastEnd = m.end();
        }
        if (firstStart < 0) {
            return null;
        }
        int startChar = fitted.planStart() + firstStart;
        int endChar = fitted.prompt().length() - (t.length() - lastEnd);
        if (endChar <= startChar) {
            return null;
        }
        long[] ids = fitted.ids();
        int from = Math.min(ids.length, model.encode(fitted.prompt().substring(0, startChar)).length);
        int to = Math.min(ids.length, model.encode(fitted.prompt().substring(0, endChar)).length);
        return from < to ? new int[] {from, to} : null;
    }

    private static final java.util.regex.Pattern PLACEHOLDER =
            java.util.regex.Pattern.compile("\\{(title|summary|facts|draft|language)\\}");

    /** The first {@code n} characters, backed off to the last space when one is near, never splitting a surrogate pair. */
    private static String cut(String s, int n) {
        if (n >= s.length()) {
            return s;
        }
        if (n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        int space = s.lastIndexOf(' ', n);
        return space > n - 40 && space > 0 ? s.substring(0, space) : s.substring(0, n);
    }

    static ContentPlan withDraft(ContentPlan p, String draft) {
        return new ContentPlan(p.title(), p.summary(), p.keyFacts(), draft, p.language(), p.plannerId(), p.usage());
    }
}
